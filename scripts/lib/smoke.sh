# Shared by the smoke scripts: a demo customer's order placed through the ordering API and read
# back. Source it after lib/common.sh; needs curl and python3.

# shellcheck shell=bash
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The demo platform administrator's second factor (admin/src/demo/mod.rs, DEMO_TOTP_SECRET).
DEMO_TOTP_SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

# demo_totp: the code its authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits).
demo_totp() {
  python3 -c 'import base64, hashlib, hmac, struct, sys, time
d = hmac.new(base64.b32decode(sys.argv[1]), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = d[19] & 15
print("%06d" % ((struct.unpack(">I", d[o:o + 4])[0] & 0x7fffffff) % 1000000))' "$DEMO_TOTP_SECRET"
}

# demo_login API EMAIL [TOTP]: prints an access token (demo password, and the code of a second
# factor when given).
demo_login() {
  local totp=${3:+,\"totp\":\"$3\"}
  curl -fsS -X POST "$1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"pizza-demo-2026\"$totp}" | json 'd["access_token"]'
}

# demo_order BASE_URL: client@demo.ocpizza.fr orders a medium Reine for takeaway at paris-bastille
# (the next slot, so it works at any hour) and reads it back as received. Sets ORDER_ID,
# ORDER_NUMBER, ORDER_URL and CLIENT_TOKEN.
demo_order() {
  local api=$1/api/v1 s product size_id slot body order status
  CLIENT_TOKEN=$(demo_login "$api" client@demo.ocpizza.fr)
  s=$api/pizzerias/paris-bastille
  read -r product size_id < <(curl -fsS "$s/menu" \
    | json '" ".join([(p["id"], s["id"]) for c in d["categories"] for p in c["products"] if p["name"]=="Reine" for s in p["sizes"] if s["code"]=="m"][0])')
  slot=$(curl -fsS "$s/opening" | json 'd["next_slots"][0]["start"]')
  body="{\"fulfilment\":\"takeaway\",\"payment_method\":\"cash\",\"contact_phone\":\"06 12 34 56 78\",\"slot_start\":\"$slot\",\"lines\":[{\"product_id\":\"$product\",\"size_id\":\"$size_id\",\"quantity\":1}]}"
  order=$(curl -fsS -X POST "$s/orders" -H "authorization: Bearer $CLIENT_TOKEN" \
    -H 'content-type: application/json' -H "idempotency-key: smoke-$$-$RANDOM" -d "$body")
  ORDER_ID=$(echo "$order" | json 'd["id"]')
  ORDER_NUMBER=$(echo "$order" | json 'd["number"]')
  ORDER_URL=$s/orders/$ORDER_ID
  status=$(order_status)
  [ "$status" = received ] || die "order $ORDER_ID is $status, not received"
  log "order $ORDER_NUMBER placed at paris-bastille and read back ($status)"
}

# order_status: the status of the order demo_order placed, as its customer sees it.
order_status() {
  curl -fsS "$ORDER_URL" -H "authorization: Bearer $CLIENT_TOKEN" | json 'd["status"]'
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND (quietly) until it succeeds.
wait_for() {
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  log "$what"
}

# loopback_only PORT...: fails naming any of these TCP ports listened on beyond 127.0.0.1 / ::1
# (containers on the host's network listen on the host itself).
loopback_only() {
  command -v ss >/dev/null || apt_install iproute2
  local port wide
  for port in "$@"; do
    wide=$(ss -Hltn "sport = :$port" | awk '{print $4}' | grep -Ev '^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]):' || true)
    [ -z "$wide" ] || die "port $port is listened on beyond loopback: $wide"
  done
  log "ports $* listen on loopback only"
}
