-- The language an order was placed in (docs/DESIGN.md, "Emails"): its emails use it, for guests
-- too. NULL: not said (older orders, API clients that send neither `locale` nor
-- Accept-Language); a customer's account language applies then, else French.
ALTER TABLE orders ADD COLUMN locale text CHECK (locale IN ('fr', 'en'));
