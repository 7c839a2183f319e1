use super::*;

fn item(ingredient: &str, unit: &str, quantity: i64) -> GroupRecipeItem {
    GroupRecipeItem {
        ingredient: ingredient.into(),
        unit: unit.into(),
        quantity,
    }
}

fn margherita() -> GroupProductInput {
    GroupProductInput {
        category: " Pizzas ".into(),
        kind: "pizza".into(),
        name: " Margherita ".into(),
        description: "Tomate, mozzarella, basilic".into(),
        allergens: vec!["gluten".into(), "lait".into()],
        vat_class: "food".into(),
        sizes: vec![
            GroupSize {
                code: "m".into(),
                label: "Moyenne".into(),
                price_cents: 1100,
                recipe: vec![item("Mozzarella", "g", 100), item("Tomate", "g", 80)],
            },
            GroupSize {
                code: "l".into(),
                label: "Grande".into(),
                price_cents: 1400,
                recipe: vec![item("mozzarella", "g", 150)],
            },
        ],
    }
}

#[test]
fn a_valid_product_is_trimmed() {
    let p = margherita().parse().unwrap();
    assert_eq!(
        (p.category.as_str(), p.name.as_str()),
        ("Pizzas", "Margherita")
    );
    assert_eq!(
        p.ingredients(),
        vec![("Mozzarella", "g"), ("Tomate", "g")],
        "each ingredient once, whatever its case"
    );
}

#[test]
fn what_a_pizzeria_would_refuse_is_refused_up_front() {
    type Change = Box<dyn Fn(&mut GroupProductInput)>;
    let cases: Vec<(&str, Change)> = vec![
        ("name", Box::new(|p| p.name = "  ".into())),
        ("kind", Box::new(|p| p.kind = "salad".into())),
        ("vat_class", Box::new(|p| p.vat_class = "Food 10%".into())),
        ("sizes", Box::new(|p| p.sizes.clear())),
        ("sizes", Box::new(|p| p.sizes[1].code = "m".into())),
        (
            "sizes",
            Box::new(|p| p.sizes[0].code = "Medium size".into()),
        ),
        ("price_cents", Box::new(|p| p.sizes[0].price_cents = 0)),
        ("price_cents", Box::new(|p| p.sizes[0].price_cents = -500)),
        (
            "unit",
            Box::new(|p| p.sizes[0].recipe[0].unit = "kg".into()),
        ),
        ("recipe", Box::new(|p| p.sizes[0].recipe[0].quantity = 0)),
        (
            "recipe",
            Box::new(|p| p.sizes[0].recipe.push(item("MOZZARELLA", "g", 5))),
        ),
        (
            "recipe",
            Box::new(|p| p.sizes[1].recipe[0].unit = "piece".into()),
        ),
        ("description", Box::new(|p| p.description = "x".repeat(501))),
    ];
    for (field, change) in cases {
        let mut p = margherita();
        change(&mut p);
        let err = p.parse().expect_err(field);
        assert_eq!(err.field, field, "{err}");
    }
}
