use super::*;

fn input(n: u128, slug: &str) -> Input {
    Input {
        tenant_id: Uuid::from_u128(n),
        slug: slug.into(),
        name: format!("Pizzeria {slug}"),
        timezone: "Europe/Paris".into(),
    }
}

fn range() -> Range {
    Range::parse("2026-11-01", "2026-11-30").unwrap()
}

#[test]
fn ranges_are_checked() {
    assert!(Range::parse("2026-11-02", "2026-11-01").is_err());
    assert!(Range::parse("2026-13-01", "2026-11-01").is_err());
    assert!(
        Range::parse("2026-01-01", "2027-01-02").is_err(),
        "367 days"
    );
    assert!(Range::parse("2026-01-01", "2027-01-01").is_ok(), "366 days");
}

#[test]
fn totals_add_up_and_averages_are_weighted() {
    let a = Counts {
        orders: 4,
        completed: 3,
        cancelled: 1,
        revenue_cents: 10_000,
        web: 2,
        phone: 1,
        counter: 1,
        delivery: 1,
        takeaway: 3,
        preparation_seconds: 3.0 * 600.0,
        preparations: 3,
        delivery_seconds: 900.0,
        deliveries: 1,
    };
    let b = Counts {
        orders: 1,
        completed: 1,
        revenue_cents: 1_001,
        web: 1,
        delivery: 1,
        preparation_seconds: 1800.0,
        preparations: 1,
        ..Counts::default()
    };
    let counts = BTreeMap::from([(Uuid::from_u128(1), a), (Uuid::from_u128(2), b)]);
    let sales = vec![
        ProductSales {
            tenant_id: Uuid::from_u128(1),
            name: "Margherita".into(),
            quantity: 3,
            revenue_cents: 3300,
        },
        ProductSales {
            tenant_id: Uuid::from_u128(2),
            name: "Margherita".into(),
            quantity: 2,
            revenue_cents: 2200,
        },
        ProductSales {
            tenant_id: Uuid::from_u128(2),
            name: "Regina".into(),
            quantity: 4,
            revenue_cents: 5200,
        },
    ];
    let d = build(
        range(),
        &[input(1, "a"), input(2, "b"), input(3, "c")],
        &counts,
        &sales,
        &[],
    );
    assert_eq!(d.pizzerias.len(), 3, "a pizzeria without orders is listed");
    assert_eq!(d.pizzerias[2].figures.orders, 0);
    assert_eq!(d.pizzerias[2].figures.average_preparation_minutes, None);
    let pa = &d.pizzerias[0].figures;
    assert_eq!(pa.average_basket_cents, 3333);
    assert_eq!(pa.cancellation_rate, 0.25);
    assert_eq!(pa.average_preparation_minutes, Some(10.0));
    assert_eq!(pa.average_delivery_minutes, Some(15.0));
    let t = &d.total;
    assert_eq!((t.orders, t.completed, t.revenue_cents), (5, 4, 11_001));
    assert_eq!(t.average_basket_cents, 2750, "11001 / 4 = 2750.25");
    assert_eq!(t.average_preparation_minutes, Some(15.0), "(3×10 + 30) / 4");
    assert_eq!(t.by_channel["web"], 3);
    assert_eq!(t.cancellation_rate, 0.2);
    assert_eq!(
        t.top_products
            .iter()
            .map(|p| (p.name.as_str(), p.quantity))
            .collect::<Vec<_>>(),
        [("Margherita", 5), ("Regina", 4)],
        "summed by name across pizzerias"
    );
}

#[test]
fn csv_has_a_line_per_pizzeria_and_a_total() {
    let d = build(range(), &[input(1, "a,b")], &BTreeMap::new(), &[], &[]);
    let csv = to_csv(&d);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("pizzeria,name,orders"));
    assert!(
        lines[1].starts_with("\"a,b\",Pizzeria a,b")
            || lines[1].starts_with("\"a,b\",\"Pizzeria a,b\"")
    );
    assert!(lines[2].starts_with("TOTAL,,0,0,0,0.0000,0.00,0.00"));
}
