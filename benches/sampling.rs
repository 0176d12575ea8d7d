//! Benchmarks of the sampling core, through the library API only, with fixed seeds.
//!
//! * `distribution/draw/*`: one draw of each distribution family (a counter-based uniform,
//!   then the sampling quantile function), `distribution/block/*`: 128 uniforms through the
//!   block sampler, as the engine draws one input of a block (throughput per value), and
//!   `distribution/quantile/*`: one evaluation of the exact inverse CDF.
//! * `path/openai/*`: one block of 128 paths of `scenarios/openai.toml` (draws and model, no
//!   recording), and one chunk of 1,024 paths (draws, model, thresholds and the statistics
//!   pass) per sampler.
//! * `engine/openai_1e5/*`: the whole engine on 100,000 paths on a rayon pool of 1 and of 2
//!   threads.
//! * `network/*`: the engine on 20,000 paths of `scenarios/network.toml` on one thread
//!   (`network`), and on the same paths of each of its entities written as a single-firm
//!   scenario, one after another (`firms`: the entity's tables at the top level, its
//!   `[financing]` dropped, as `scripts/network-entities.py` writes them). The ratio of the
//!   two is what a network path costs against its firms' paths alone.
//! * `rng_floor/openai`: the random numbers one path of `openai.toml` draws, drawn the same
//!   way and summed: one path key from the chunk's Xoshiro256++, one counter-based uniform per
//!   uncertain input, and per year after the first one normal (a uniform through the fast
//!   inverse normal CDF) for users and for each stream and one uniform per shock. This is the
//!   cost of merely drawing the path's random numbers: the floor for the sampling core.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::Rng;

use breakeven::dist::Dist;
use breakeven::engine::{BLOCK_PATHS, CHUNK_PATHS, Experiment, Plan};
use breakeven::math::normal_quantile;
use breakeven::rng::{chunk_rng, uniform};
use breakeven::sampler::Sampler;
use breakeven::scenario::{self, Scenario};
use breakeven::simulation::{self, RunOptions, Simulation};

const SEED: u64 = 20_251_123;

fn openai() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/openai.toml");
    scenario::load(path.as_ref(), &[]).expect("the bundled scenario compiles")
}

fn distributions() -> Vec<(&'static str, Dist)> {
    vec![
        ("uniform", Dist::uniform(2.0, 3.0).unwrap()),
        (
            "triangular",
            Dist::triangular(1.1e12, 1.4e12, 1.6e12).unwrap(),
        ),
        ("pert", Dist::pert(0.35, 0.5, 0.65, 4.0).unwrap()),
        ("normal", Dist::normal(0.1, 0.05).unwrap()),
        ("lognormal", Dist::lognormal_ci90(1e9, 5e9).unwrap()),
        ("beta", Dist::beta(2.0, 5.0, 0.0, 1.0).unwrap()),
        (
            "discrete",
            Dist::discrete(vec![5.0, 6.0], Some(vec![0.5, 0.5])).unwrap(),
        ),
        (
            "normal_truncated",
            Dist::normal(0.1, 0.05).unwrap().truncate(0.0, 0.2).unwrap(),
        ),
    ]
}

fn bench_distributions(c: &mut Criterion) {
    let mut group = c.benchmark_group("distribution");
    for (name, dist) in distributions() {
        let mut key = 0u64;
        group.bench_with_input(BenchmarkId::new("draw", name), &dist, |b, d| {
            b.iter(|| {
                key += 1;
                d.sampling_quantile(uniform(key, SEED, 0))
            })
        });
        // A block's worth of uniforms through the block sampler, as the engine draws an input.
        let uniforms: Vec<f64> = (0..BLOCK_PATHS as u64)
            .map(|i| uniform(i, SEED, 0))
            .collect();
        let mut out = vec![0.0; BLOCK_PATHS];
        group.throughput(Throughput::Elements(BLOCK_PATHS as u64));
        group.bench_with_input(BenchmarkId::new("block", name), &dist, |b, d| {
            b.iter(|| {
                d.sampling_quantiles(black_box(&uniforms), &mut out);
                black_box(out[0])
            })
        });
        group.throughput(Throughput::Elements(1));
        let mut p = 0.0;
        group.bench_with_input(BenchmarkId::new("quantile", name), &dist, |b, d| {
            b.iter(|| {
                // A low-discrepancy walk over (0, 1), so every region of the quantile is timed.
                p = (p + 0.618_033_988_749_895) % 1.0;
                d.quantile(black_box(p))
            })
        });
    }
    group.finish();
}

fn bench_path(c: &mut Criterion) {
    let scenario = openai();
    let mut group = c.benchmark_group("path/openai");
    group.throughput(Throughput::Elements(1));
    let never = AtomicBool::new(false);
    let simulation = Simulation::new(&scenario, Sampler::Mc, SEED, &never).unwrap();
    let mut worker = simulation.worker();
    let mut chunk = 0u64;
    group.throughput(Throughput::Elements(BLOCK_PATHS as u64));
    group.bench_function("block", |b| {
        b.iter(|| {
            chunk += 1;
            let mut rng = chunk_rng(SEED, chunk);
            let block = simulation
                .run_block(0, chunk * CHUNK_PATHS, BLOCK_PATHS, &mut rng, &mut worker)
                .unwrap();
            black_box(block.results().values()[0])
        })
    });
    group.throughput(Throughput::Elements(CHUNK_PATHS));
    for sampler in [Sampler::Mc, Sampler::Lhs, Sampler::Sobol] {
        let simulation = Simulation::new(&scenario, sampler, SEED, &never).unwrap();
        let mut worker = simulation.worker();
        let mut summary = simulation.empty_summary();
        let mut chunk = 0u64;
        group.bench_function(BenchmarkId::new("chunk", sampler.name()), |b| {
            b.iter(|| {
                chunk += 1;
                let mut rng = chunk_rng(SEED, chunk);
                simulation
                    .run_chunk(
                        chunk * CHUNK_PATHS,
                        CHUNK_PATHS as usize,
                        &mut rng,
                        &mut worker,
                        &mut summary,
                    )
                    .unwrap();
            })
        });
    }
    group.finish();
}

fn bench_engine(c: &mut Criterion) {
    let scenario = openai();
    let paths = 100_000;
    let mut group = c.benchmark_group("engine/openai_1e5");
    group.sample_size(10);
    group.throughput(Throughput::Elements(paths));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let options = RunOptions::new(Plan::whole(SEED, paths));
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| pool.install(|| simulation::run(&scenario, &options).unwrap()))
        });
    }
    group.finish();
}

/// The entities of `scenarios/network.toml`, each as a single-firm scenario.
fn network_firms(text: &str) -> Vec<Scenario> {
    let doc: toml::Table = toml::from_str(text).expect("network.toml is TOML");
    let entities = doc["entities"]
        .as_table()
        .expect("network.toml has entities");
    entities
        .iter()
        .map(|(name, tables)| {
            let mut firm = toml::Table::new();
            for section in ["scenario", "run"] {
                if let Some(t) = doc.get(section) {
                    firm.insert(section.to_string(), t.clone());
                }
            }
            for (key, table) in tables.as_table().expect("an entity is a table") {
                if key != "financing" && table.is_table() {
                    firm.insert(key.clone(), table.clone());
                }
            }
            let text = toml::to_string(&firm).expect("a table serialises");
            scenario::parse(&text, &format!("{name}.toml"), &[])
                .unwrap_or_else(|e| panic!("{name} as a single firm: {e}"))
        })
        .collect()
}

fn bench_network(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/network.toml");
    let network = scenario::load(path.as_ref(), &[]).expect("the bundled network compiles");
    let firms = network_firms(&std::fs::read_to_string(path).expect("network.toml"));
    let paths = 20_000;
    let options = RunOptions::new(Plan::whole(SEED, paths));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("network");
    group.sample_size(10);
    group.throughput(Throughput::Elements(paths));
    group.bench_function("network", |b| {
        b.iter(|| pool.install(|| breakeven::scenario_run::run(&network, &options).unwrap()))
    });
    group.bench_function("firms", |b| {
        b.iter(|| {
            for firm in &firms {
                black_box(pool.install(|| simulation::run(firm, &options).unwrap()));
            }
        })
    });
    group.finish();
}

/// The salts of what one path of a scenario draws.
struct Draws {
    /// One uniform per uncertain input.
    inputs: Vec<u64>,
    years: usize,
    /// Salts of the yearly normal processes (users, streams) and uniform ones (shocks).
    yearly_normals: Vec<u64>,
    yearly_uniforms: Vec<u64>,
}

impl Draws {
    fn of(scenario: &Scenario) -> Draws {
        let model = &scenario.model;
        Draws {
            inputs: scenario
                .inputs
                .iter()
                .filter(|i| !i.dist.is_fixed())
                .map(|i| i.salt)
                .collect(),
            years: model.years,
            yearly_normals: model
                .subscriptions
                .iter()
                .map(|_| model.users_salt)
                .chain(model.streams.iter().map(|s| s.salt))
                .collect(),
            yearly_uniforms: model.shocks.iter().map(|s| s.salt).collect(),
        }
    }

    /// Draws and sums the random numbers of the path whose key is `key`.
    fn floor_path(&self, key: u64) -> f64 {
        let mut sum = 0.0;
        for &salt in &self.inputs {
            sum += uniform(key, salt, 0);
        }
        for &salt in &self.yearly_normals {
            for y in 1..self.years {
                sum += normal_quantile(uniform(key, salt, y as u64));
            }
        }
        for &salt in &self.yearly_uniforms {
            for y in 1..self.years {
                sum += uniform(key, salt, y as u64);
            }
        }
        sum
    }
}

fn bench_rng_floor(c: &mut Criterion) {
    let scenario = openai();
    let draws = Draws::of(&scenario);
    let mut group = c.benchmark_group("rng_floor");
    group.throughput(Throughput::Elements(CHUNK_PATHS));
    group.bench_function("openai", |b| {
        b.iter(|| {
            // As the engine does: one generator per chunk, one key per path.
            let mut rng = chunk_rng(SEED, 0);
            let mut total = 0.0;
            for _ in 0..CHUNK_PATHS {
                total += draws.floor_path(rng.next_u64());
            }
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_distributions,
    bench_path,
    bench_engine,
    bench_network,
    bench_rng_floor
);
criterion_main!(benches);
