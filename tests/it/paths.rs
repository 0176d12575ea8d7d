//! The path interfaces other methods build on: [`simulation::visit_paths`] shows the paths a
//! run simulates, for any sampler; [`PathEvaluator`] rebuilds any of them from its input
//! values (or uniforms) and yearly random numbers alone, bit for bit; and a path stepped year
//! by year is the path simulated whole.

use breakeven::engine::Plan;
use breakeven::model::YearlyNumbers;
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Scenario};
use breakeven::simulation::{self, PathEvaluator, RunOptions};
use breakeven::summary::Event;

const OPENAI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/openai.toml");

fn openai() -> Scenario {
    scenario::load(OPENAI.as_ref(), &[]).unwrap()
}

#[test]
fn visited_paths_are_the_paths_run_for_every_sampler() {
    let s = openai();
    for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
        let options = RunOptions::new(Plan::whole(4, 2500)).sampler(sampler);
        let summary = simulation::run(&s, &options).unwrap().summary;
        let mut hits = vec![0u64; Event::all(&s).len()];
        let visited = simulation::visit_paths(&s, &options, |path| {
            for (h, e) in hits.iter_mut().zip(Event::all(&s)) {
                *h += u64::from(e.happened(path.trajectory, &s));
            }
        })
        .unwrap();
        assert_eq!(visited, 2500);
        let expected: Vec<u64> = Event::all(&s)
            .into_iter()
            .map(|e| summary.hits(e))
            .collect();
        assert_eq!(hits, expected, "{sampler:?}");
    }
}

#[test]
fn a_path_is_a_function_of_its_inputs_and_yearly_numbers() {
    let s = openai();
    let options = RunOptions::new(Plan::whole(8, 300));
    let mut evaluator = PathEvaluator::new(&s);
    let mut checked = 0;
    simulation::visit_paths(&s, &options, |path| {
        let again = evaluator.from_values(path.inputs, path.yearly).unwrap();
        for m in breakeven::model::Metric::ALL {
            let a: Vec<u64> = path
                .trajectory
                .series(m)
                .iter()
                .map(|x| x.to_bits())
                .collect();
            let b: Vec<u64> = again.series(m).iter().map(|x| x.to_bits()).collect();
            assert_eq!(a, b, "path {} {}", path.index, m.name());
        }
        assert_eq!(path.trajectory.npv.to_bits(), again.npv.to_bits());
        assert_eq!(path.trajectory.break_even, again.break_even);
        // The default yearly numbers are the key's.
        assert_eq!(path.yearly, &YearlyNumbers::for_path(&s.model, path.key));
        checked += 1;
    })
    .unwrap();
    assert_eq!(checked, 300);
}

#[test]
fn uniforms_map_to_inputs_through_the_quantile_functions_and_numbers_move_paths() {
    let s = openai();
    let mut evaluator = PathEvaluator::new(&s);
    let uncertain = evaluator.uncertain_inputs().to_vec();
    let mut yearly = evaluator.yearly_numbers();
    // All uniforms at 1/2: uncorrelated inputs sit at their medians.
    let halves = vec![0.5; uncertain.len()];
    let base_npv = evaluator.from_uniforms(&halves, &yearly).unwrap().npv;
    for (p, &j) in uncertain.iter().enumerate() {
        let input = &s.inputs[j];
        let correlated = s.correlations.groups.iter().any(|g| g.inputs.contains(&j));
        if !correlated {
            let median = input.dist.sampling_quantile(0.5);
            assert_eq!(
                evaluator.values()[j],
                median,
                "{} (position {p})",
                input.key
            );
        }
    }
    // A bad year for users (a very negative normal in every year) lowers the NPV.
    let normals = yearly.normals();
    for z in &mut yearly.as_mut_slice()[..normals] {
        *z = -3.0;
    }
    let bad_npv = evaluator.from_uniforms(&halves, &yearly).unwrap().npv;
    assert!(bad_npv < base_npv, "{bad_npv} vs {base_npv}");
}

#[test]
fn stepping_year_by_year_is_simulating_the_whole_path() {
    let s = openai();
    let model = &s.model;
    let options = RunOptions::new(Plan::whole(2, 50));
    let mut ws = model.workspace();
    simulation::visit_paths(&s, &options, |path| {
        model.begin(path.inputs, &mut ws);
        for y in 0..model.years {
            model.step(path.inputs, path.yearly, y, &mut ws);
            // Year y is complete as soon as it is stepped.
            let revenue = path.trajectory.get(breakeven::model::Metric::Revenue, y);
            assert_eq!(
                ws.trajectory
                    .get(breakeven::model::Metric::Revenue, y)
                    .to_bits(),
                revenue.to_bits()
            );
        }
        model.finish(&mut ws).unwrap();
        assert_eq!(ws.trajectory.npv.to_bits(), path.trajectory.npv.to_bits());
        assert_eq!(ws.trajectory.payback, path.trajectory.payback);
    })
    .unwrap();
}

#[test]
fn sweeping_a_pert_inputs_own_parameter_moves_it_along_its_quantile_function() {
    // Every input is its quantile function at its own uniform: changing partner_share's mode
    // leaves every other input of every path bit for bit alone, and moves partner_share
    // itself monotonically (a later mode makes the PERT stochastically larger).
    let values = |mode: &str| {
        let set = format!("capex.partner_share.mode={mode}");
        let s = scenario::load(OPENAI.as_ref(), &[set.parse().unwrap()]).unwrap();
        let mut rows = Vec::new();
        simulation::visit_paths(&s, &RunOptions::new(Plan::whole(6, 2000)), |path| {
            rows.push(path.inputs.to_vec());
        })
        .unwrap();
        (s.input_index("capex.partner_share").unwrap(), rows)
    };
    let (j, low) = values("0.45");
    let (_, high) = values("0.55");
    let mut moved = 0;
    for (a, b) in low.iter().zip(&high) {
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            if k == j {
                assert!(y >= x, "partner share {x} -> {y}");
                moved += usize::from(y > x);
            } else {
                assert_eq!(x.to_bits(), y.to_bits(), "input {k}");
            }
        }
    }
    assert!(moved > 1900, "{moved}");
}
