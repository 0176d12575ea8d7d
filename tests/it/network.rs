//! Networks of firms: hand-computed two- and three-firm networks, the clearing vector of a
//! cascade, and conservation of money on generated networks (proptest).

use breakeven::model::{Metric, PathResults};
use breakeven::network::path::NetworkBlock;
use breakeven::network::{Booking, FlowKind, Network, NetworkMetric};
use breakeven::scenario::{self, Scenario};
use proptest::prelude::*;

/// Parses a network scenario whose inputs are all fixed, and evaluates its one path.
fn run_fixed(text: &str) -> (Scenario, NetworkBlock) {
    let scenario = scenario::parse(text, "test.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let values: Vec<f64> = scenario
        .inputs
        .iter()
        .map(|i| {
            assert!(i.dist.is_fixed(), "{} is not fixed", i.key);
            i.dist.quantile(0.5)
        })
        .collect();
    let network = scenario.network.as_ref().expect("a network file");
    let mut ws = network.workspace();
    network
        .simulate(&values, 1, &mut ws)
        .expect("a finite path");
    (scenario, ws)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

fn assert_series(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(close(*a, *e), "{what}: {actual:?} != {expected:?}");
    }
}

pub const TWO_FIRMS: &str = r#"
[scenario]
name = "Two firms"
start_year = 2025
horizon = 2027

[entities.chips]
finance = { starting_cash = 200e9 }
costs = { cost_of_revenue_share = 0.25 }

[entities.lab]
costs = { rnd = 5e9 }
[entities.lab.streams.api]
revenue = 10e9
growth = 0

[flows.invest]
from = "chips"
to = "lab"
kind = "equity"
total = 100e9

[flows.gpus]
from = "lab"
to = "chips"
kind = "purchase"
as = "opex"
total = 90e9
years = 3
"#;

#[test]
fn two_firms_round_trip_by_hand() {
    let (scenario, ws) = run_fixed(TWO_FIRMS);
    let network = scenario.network.as_ref().unwrap();
    let chips = network.entity_index("chips").unwrap();
    let lab = network.entity_index("lab").unwrap();
    // Chips sells 30e9 a year to the lab at a 75% margin: EBIT 22.5e9 a year. It invests
    // 100e9 in 2025: cash 200 - 100 + 22.5, then + 22.5 twice.
    let c = &ws.entities[chips];
    assert_series(
        c.trajectory().series(Metric::Revenue),
        &[30e9; 3],
        "chips revenue",
    );
    assert_series(
        c.trajectory().series(Metric::Ebit),
        &[22.5e9; 3],
        "chips EBIT",
    );
    assert_series(&c.cash, &[122.5e9, 145e9, 167.5e9], "chips cash");
    assert_series(
        &c.end_customer_revenue,
        &[0.0; 3],
        "chips end-customer revenue",
    );
    // The lab earns 10e9 from end customers, spends 5e9 on R&D and 30e9 on GPUs.
    let l = &ws.entities[lab];
    assert_series(l.trajectory().series(Metric::Ebit), &[-25e9; 3], "lab EBIT");
    assert_series(&l.cash, &[75e9, 50e9, 25e9], "lab cash");
    assert_eq!(l.default_year[0], None);
    // Equity is cash, not revenue; payback counts free cash flow only, which never turns.
    assert_eq!(l.trajectory().payback, None);
    assert_eq!(c.trajectory().payback, Some(0));
    // Round trip: of chips' 100e9, 90e9 came back as chips' revenue from the lab.
    let invested: f64 = ws.paid[0].iter().sum();
    assert!(close(invested, 100e9));
    assert!(close(ws.purchases[lab * 2 + chips], 90e9));
    // Circularity: 30 of 40 each year.
    for y in 0..3 {
        let path = ws.lane(0);
        let (end, internal) = (
            path.network(NetworkMetric::EndCustomerRevenue, y),
            path.network(NetworkMetric::InternalRevenue, y),
        );
        assert!(close(end, 10e9) && close(internal, 30e9));
    }
}

const CASCADE: &str = r#"
[scenario]
name = "Cascade"
start_year = 2025
horizon = 2027

[entities.lab]
finance = { starting_cash = 40 }

[entities.cloud]
finance = { starting_cash = 10 }
costs = { cost_of_revenue_share = 0.2 }

[entities.chips]

[flows.compute]
from = "lab"
to = "cloud"
kind = "purchase"
as = "opex"
total = 300
years = 3

[flows.gpus]
from = "cloud"
to = "chips"
kind = "purchase"
as = "capex"
life_years = 4
total = 240
years = 3
"#;

#[test]
fn a_three_firm_cascade_clears_by_hand() {
    // 2025: the lab owes the cloud 100 and has 40: it pays 40 and defaults. The cloud keeps
    // 80% of it (32) and has 10: 42 against the 80 it owes the chip maker, so it pays 42 and
    // defaults. The clearing vector is (40, 42, 0). From 2026 both are out: nothing flows.
    let (scenario, ws) = run_fixed(CASCADE);
    let network = scenario.network.as_ref().unwrap();
    let [lab, cloud, chips] = ["lab", "cloud", "chips"].map(|n| network.entity_index(n).unwrap());
    assert_series(&ws.paid[0], &[40.0, 0.0, 0.0], "lab pays the cloud");
    assert_series(
        &ws.paid[1],
        &[42.0, 0.0, 0.0],
        "the cloud pays the chip maker",
    );
    assert_eq!(ws.entities[lab].default_year[0], Some(0));
    assert_eq!(ws.entities[cloud].default_year[0], Some(0));
    assert_eq!(ws.entities[chips].default_year[0], None);
    // The lab starts the cascade: the cloud would have paid in full had the lab paid it.
    assert!(ws.entities[lab].default_unaided[0] && !ws.entities[cloud].default_unaided[0]);
    assert!(close(ws.entities[cloud].cash[0], 0.0));
    // Revenue lost: the cloud 60 + 100 + 100, the chip maker 38 + 80 + 80.
    assert!(close(ws.entities[cloud].revenue_lost[0], 260.0));
    assert!(close(ws.entities[chips].revenue_lost[0], 198.0));
    // The cloud books what it paid as capex, depreciated over 4 years.
    let t = ws.entities[cloud].trajectory();
    assert_series(t.series(Metric::OwnCapex), &[42.0, 0.0, 0.0], "cloud capex");
    assert_series(
        t.series(Metric::Depreciation),
        &[10.5; 3],
        "cloud depreciation",
    );
}

/// A generated network: entity `i` has starting cash, an end-customer stream, R&D, cost of
/// revenue and optional financing; flows are schedules or shares of every kind.
fn network_text(
    entities: &[(f64, f64, f64, f64, f64)],
    flows: &[(usize, usize, u8, f64, u8)],
) -> String {
    let mut text =
        String::from("[scenario]\nname = \"generated\"\nstart_year = 2025\nhorizon = 2030\n");
    for (i, &(cash, revenue, rnd, cor, capacity)) in entities.iter().enumerate() {
        text += &format!(
            "[entities.e{i}]\nfinance = {{ starting_cash = {cash} }}\ncosts = {{ rnd = {rnd}, cost_of_revenue_share = {cor} }}\n\
             financing = {{ equity_capacity = {capacity}, debt_capacity = {capacity}, debt_rate = 0.08 }}\n\
             capex = {{ total = {revenue}, years = 3, gpu_life_years = 2.5 }}\n\
             [entities.e{i}.streams.sales]\nrevenue = {revenue}\ngrowth = 0.1\n"
        );
    }
    let n = entities.len();
    for (k, &(from, to, kind, amount, form)) in flows.iter().enumerate() {
        let (from, to) = (from % n, to % n);
        let to = if from == to { (to + 1) % n } else { to };
        let kind = match kind % 5 {
            0 => "kind = \"equity\"".to_string(),
            1 => "kind = \"purchase\"\nas = \"opex\"".to_string(),
            2 => "kind = \"purchase\"\nas = \"capex\"".to_string(),
            3 => "kind = \"loan\"\nrate = 0.05\nterm = 2".to_string(),
            _ => "kind = \"purchase\"\nas = \"capex\"".to_string(),
        };
        // Shares of end-customer revenue or of the payer's own capex cannot form cycles.
        let amount = match form % 3 {
            0 => format!("total = {amount}\nyears = 4\nstart_year = 2026"),
            1 => format!(
                "share = {}\nof = \"e{to}.end_customer_revenue\"",
                (amount / 1e3).fract()
            ),
            _ if kind.contains("capex") => format!(
                "share = {}\nof = \"e{from}.capex\"",
                (amount / 1e3).fract() / 4.0
            ),
            _ => format!("total = {amount}"),
        };
        text += &format!("[flows.f{k}]\nfrom = \"e{from}\"\nto = \"e{to}\"\n{kind}\n{amount}\n");
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn money_is_conserved_on_every_year(
        entities in prop::collection::vec(
            (0.0..500.0f64, 0.0..300.0f64, 0.0..400.0f64, 0.0..0.6f64, prop_oneof![Just(0.0), 0.0..200.0f64]),
            2..5,
        ),
        flows in prop::collection::vec((0..5usize, 0..5usize, 0..5u8, 0.0..900.0f64, 0..3u8), 0..8),
    ) {
        let text = network_text(&entities, &flows);
        let (scenario, ws) = run_fixed(&text);
        let network: &Network = scenario.network.as_ref().unwrap();
        let years = network.years();
        let mut cash_before: Vec<f64> = network.entities.iter()
            .map(|e| scenario.inputs[e.model.finance.starting_cash.0].dist.quantile(0.5))
            .collect();
        for y in 0..years {
            // Internal revenue received equals purchases paid, and equity and loan
            // principal paid equal what is received.
            let received: f64 = ws.entities.iter().map(|e| e.adjustments.revenue[y]).sum();
            let paid: f64 = ws.entities.iter().map(|e| e.purchases_paid[y]).sum();
            prop_assert!(close(received, paid), "year {y}: {received} received, {paid} paid");
            let financing: f64 = ws.entities.iter().map(|e| e.adjustments.financing[y]).sum();
            prop_assert!(financing.abs() <= 1e-6 * (1.0 + paid.abs()), "year {y}: financing {financing}");
            // The network's cash changes only by what comes from outside it: the entities'
            // own free cash flow, outside funding less its interest, and the capex the payers'
            // own tables spent that went to other entities, less the payees' variable costs
            // on internal revenue. Every internal payment nets out.
            let mut moved = 0.0;
            let mut outside = 0.0;
            for (i, e) in ws.entities.iter().enumerate() {
                moved += e.cash[y] - cash_before[i];
                outside += e.own_free_cash_flow[y] + e.drawn_in[y] - e.outside_interest[y]
                    - (1.0 - e.margins[y]) * e.adjustments.revenue[y];
            }
            for (f, flow) in network.flows.iter().enumerate() {
                if let FlowKind::Purchase(Booking::Capex { carved: true, .. }) = flow.kind {
                    outside += ws.due[f][y];
                }
            }
            prop_assert!(close(moved, outside), "year {y}: cash moved {moved}, from outside {outside}");
            // Per entity: the trajectory's cash plus outside funding drawn so far is the cash.
            for (i, e) in ws.entities.iter().enumerate() {
                let drawn: f64 = e.drawn_in[..=y].iter().sum();
                prop_assert!(close(e.trajectory().get(Metric::Cash, y) + drawn, e.cash[y]),
                    "entity {i} year {y}: {} + {drawn} != {}", e.trajectory().get(Metric::Cash, y), e.cash[y]);
                cash_before[i] = e.cash[y];
            }
        }
        // Every carved or bought capex purchase and every equity flow is paid at most as due.
        for (f, flow) in network.flows.iter().enumerate() {
            if let FlowKind::Purchase(Booking::Capex { .. }) | FlowKind::Equity { .. } = flow.kind {
                prop_assert!(ws.paid[f].iter().all(|p| *p >= -1e-9));
            }
        }
    }
}

/// The bundled scenario, from the repository root.
fn bundled(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn simulate(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("simulate")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn network_toml_is_the_same_whatever_the_threads() {
    let file = bundled("network.toml");
    let json = |threads: &str| {
        let out = simulate(&[
            &file,
            "--paths",
            "3000",
            "--format",
            "json",
            "--threads",
            threads,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = json("1");
    assert!(one == json("2"), "1 and 2 threads differ");
    assert!(one == json("3"), "1 and 3 threads differ");
    let doc: serde_json::Value = serde_json::from_slice(&one).unwrap();
    for key in ["entities", "network", "thresholds"] {
        assert!(doc.get(key).is_some(), "no {key}");
    }
    let openai = &doc["entities"]["openai"];
    for key in ["break_even", "payback", "default"] {
        assert!(openai[key]["probability"].is_number(), "{key}");
        assert!(openai[key]["ci95"].is_array(), "{key}");
    }
    for key in [
        "gross_revenue",
        "end_customer_revenue",
        "internal_revenue",
        "circularity",
        "round_trips",
        "contagion",
    ] {
        assert!(doc["network"].get(key).is_some(), "no network.{key}");
    }
}

#[test]
fn network_toml_prints_every_section_in_every_text_format() {
    let file = bundled("network.toml");
    for (format, sections) in [
        (
            "table",
            [
                "Entities",
                "Network revenue by year",
                "Round trips of equity",
                "Contagion",
            ],
        ),
        (
            "markdown",
            [
                "## Entities",
                "## Network revenue by year",
                "## Round trips of equity",
                "## Contagion",
            ],
        ),
    ] {
        let out = simulate(&[&file, "--paths", "500", "--format", format]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for s in sections {
            assert!(text.contains(s), "{format}: no '{s}' in\n{text}");
        }
    }
    let out = simulate(&[&file, "--paths", "500", "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for s in [
        "section,entity,name,year,statistic,value",
        "contagion,openai,oracle",
        "round_trip,nvidia",
    ] {
        assert!(text.contains(s), "csv: no '{s}'");
    }
}

/// The tables of a single-firm file moved under `[entities.NAME]`, without flows.
fn as_only_entity(text: &str, name: &str) -> String {
    let mut doc: toml::Table = toml::from_str(text).unwrap();
    let mut entity = toml::Table::new();
    for table in [
        "finance",
        "capex",
        "commitments",
        "subscriptions",
        "streams",
        "shocks",
        "costs",
        "thresholds",
    ] {
        if let Some(v) = doc.remove(table) {
            entity.insert(table.to_string(), v);
        }
    }
    doc.remove("correlations");
    let mut entities = toml::Table::new();
    entities.insert(name.to_string(), toml::Value::Table(entity));
    doc.insert("entities".to_string(), toml::Value::Table(entities));
    toml::to_string(&doc).unwrap()
}

#[test]
fn a_single_firm_is_the_same_as_the_only_entity_of_a_network() {
    // For the same input values and yearly random numbers, the firm alone and the firm as the
    // only entity (no flows, no financing) give identical trajectories, number for number.
    let text = std::fs::read_to_string(bundled("openai.toml")).unwrap();
    let single = scenario::parse(&text, "openai.toml", &[]).unwrap();
    let network_text = as_only_entity(&text, "openai");
    let net = scenario::parse(&network_text, "openai-network.toml", &[]).unwrap();
    let network = net.network.as_ref().unwrap();
    let model = &single.model;
    let mut ws = model.workspace();
    let mut nws = network.workspace();
    for (k, q) in [0.1, 0.5, 0.9].into_iter().enumerate() {
        let values: Vec<f64> = single.inputs.iter().map(|i| i.dist.quantile(q)).collect();
        let mut net_values = vec![0.0; net.inputs.len()];
        for (input, v) in single.inputs.iter().zip(&values) {
            let j = net
                .input_index(&format!("entities.openai.{}", input.key))
                .unwrap_or_else(|| panic!("{} is not in the network", input.key));
            net_values[j] = *v;
        }
        // Financing capacities are the network's own inputs, zero by default.
        let yearly = breakeven::model::YearlyNumbers::for_path(model, 1000 + k as u64);
        model.simulate(&values, &yearly, &mut ws).unwrap();
        nws.yearly_mut(0)
            .as_mut_slice()
            .copy_from_slice(yearly.as_slice());
        network.simulate_numbers(&net_values, &mut nws).unwrap();
        let (a, b) = (&ws.trajectory, nws.entities[0].trajectory());
        for m in Metric::ALL {
            assert_eq!(a.series(m), b.series(m), "{} at quantile {q}", m.name());
        }
        assert_eq!(
            (a.break_even, a.payback, a.funding_gap, a.npv),
            (b.break_even, b.payback, b.funding_gap, b.npv)
        );
        // The entity's own numbers before flows (what its flows and financing start from) are
        // the firm's alone, bit for bit.
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let own = &nws.entities[0];
        for (what, theirs, ours) in [
            (
                "revenue",
                a.series(Metric::Revenue),
                &own.end_customer_revenue,
            ),
            (
                "free cash flow",
                a.series(Metric::FreeCashFlow),
                &own.own_free_cash_flow,
            ),
        ] {
            assert_eq!(bits(theirs), bits(ours), "own {what} at quantile {q}");
        }
    }
}

const CAPEX_BOUGHT: &str = r#"
[scenario]
name = "Capex bought"
start_year = 2025
horizon = 2028

[entities.lab]
finance = { starting_cash = 1e4, hurdle_rate = 0.1 }
costs = { cost_of_revenue_share = 0.2, sga_share = 0.1 }

[entities.chips]
finance = { starting_cash = 1e4 }

[flows.gpus]
from = "lab"
to = "chips"
kind = "purchase"
as = "capex"
life_years = 4
total = 300
years = 3
"#;

#[test]
fn required_revenue_for_a_return_charges_capex_bought_from_others() {
    // The lab buys 100 of chips a year for three years, each vintage living four years. At a
    // 10% hurdle a vintage of cost C is charged the annuity C a(0.1, 4) = 0.3154708 C a year
    // for its four years (instead of C / 4 of depreciation); with 70% of revenue left after
    // cost of revenue and SG&A, the revenue for a return is the charge over 0.7.
    let (scenario, ws) = run_fixed(CAPEX_BOUGHT);
    let network = scenario.network.as_ref().unwrap();
    let lab = &ws.entities[network.entity_index("lab").unwrap()];
    let a = 0.1 / (1.0 - 1.1_f64.powi(-4));
    let t = lab.trajectory();
    let vintages = [1.0, 2.0, 3.0, 3.0];
    let for_return: Vec<f64> = vintages.iter().map(|k| k * 100.0 * a / 0.7).collect();
    assert_series(
        t.series(Metric::RequiredRevenueForReturn),
        &for_return,
        "required revenue for return",
    );
    let required: Vec<f64> = vintages.iter().map(|k| k * 25.0 / 0.7).collect();
    assert_series(
        t.series(Metric::RequiredRevenue),
        &required,
        "required revenue",
    );
}

#[test]
fn a_block_of_network_paths_gives_each_path_what_it_gives_alone() {
    // The run evaluates blocks of paths together; every number of every path must be the
    // one the path gives alone (a block of one), to the bit. A narrow odd-width block of
    // network.toml, where most paths see defaults and cascades.
    use rand::Rng;
    let scenario = scenario::load(bundled("network.toml").as_ref(), &[]).unwrap();
    let network = scenario.network.as_ref().unwrap();
    let draw =
        breakeven::sampler::InputDraw::new(&scenario, breakeven::sampler::Sampler::Mc, 7).unwrap();
    let width = 13;
    let mut rng = breakeven::rng::chunk_rng(7, 3);
    let mut scratch = draw.scratch();
    draw.begin_chunk(width, &rng, &mut scratch);
    let keys: Vec<u64> = (0..width).map(|_| rng.next_u64()).collect();
    let mut values = draw.initial_block(width);
    draw.draw_block(0, 3 * 1024, &keys, &mut scratch, &mut values);
    let mut block = network.block(width);
    network.simulate_block(&values, &keys, &mut block).unwrap();
    let mut one = network.workspace();
    let mut defaults = 0;
    for (l, &key) in keys.iter().enumerate() {
        let path: Vec<f64> = values.iter().skip(l).step_by(width).copied().collect();
        network.simulate(&path, key, &mut one).unwrap();
        let (a, b) = (block.lane(l), one.lane(0));
        for e in 0..network.entities.len() {
            assert_eq!(a.default_year(e), b.default_year(e), "path {l} entity {e}");
            defaults += usize::from(a.default_year(e).is_some());
            for m in Metric::ALL {
                for y in 0..network.years() {
                    assert_eq!(
                        a.entity(e).get(m, y).to_bits(),
                        b.entity(e).get(m, y).to_bits(),
                        "path {l} entity {e} {} year {y}",
                        m.name()
                    );
                }
            }
        }
        for m in NetworkMetric::ALL {
            for y in 0..network.years() {
                assert_eq!(a.network(m, y).to_bits(), b.network(m, y).to_bits());
            }
        }
    }
    assert!(defaults > 0, "the block exercises defaults");
}
