//! Benchmarks of the sampling core, through the library API only, with fixed seeds.
//!
//! * `distribution/sample/*`: one draw of each distribution family (its own sampler, as `mc`
//!   uses for uncorrelated inputs), and `distribution/quantile/*`: one inverse-CDF evaluation
//!   (as `lhs`, `sobol` and correlated inputs use).
//! * `path/openai/*`: one path of `scenarios/openai.toml` (draws and model, no recording), and
//!   one path within a chunk (draws, model, thresholds and the statistics pass) per sampler.
//! * `engine/openai_1e5/*`: the whole engine on 100,000 paths on a rayon pool of 1 and of 2
//!   threads.
//! * `rng_floor/openai`: the random numbers one path of `openai.toml` draws, drawn with the
//!   same generators and summed: one path key from the chunk's Xoshiro256++, then for each
//!   uncertain input a SplitMix64 stream seeded from (key, input) and exactly as many uniforms
//!   (or normals, for normal and lognormal inputs) as its sampler consumed for that path (PERT
//!   and Beta inputs use Cheng's rejection sampler, whose 64-bit words are counted by wrapping
//!   the stream), and per year after the first one normal for users, one normal per stream
//!   and one uniform per shock, each process on its own seeded stream. This is the cost of
//!   merely drawing the path's random numbers: the floor for the sampling core.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, RngExt, SeedableRng, TryRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::SplitMix64;

use breakeven::dist::{Dist, Shape};
use breakeven::engine::{CHUNK_PATHS, Experiment, Plan};
use breakeven::rng::{chunk_rng, mix64, path_stream};
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
        let mut rng = SplitMix64::seed_from_u64(SEED);
        group.bench_with_input(BenchmarkId::new("sample", name), &dist, |b, d| {
            b.iter(|| d.sample(&mut rng))
        });
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
    let mut global = 0u64;
    group.bench_function("model", |b| {
        b.iter(|| {
            global += 1;
            simulation
                .run_path(0, global, mix64(global), &mut worker)
                .unwrap();
            black_box(worker.trajectory().npv)
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

/// A generator that counts the 64-bit words drawn from it.
struct Counting<R> {
    inner: R,
    words: u32,
}

impl<R: Rng> TryRng for Counting<R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.words += 1;
        Ok(self.inner.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.words += 1;
        Ok(self.inner.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.words += dst.len().div_ceil(8) as u32;
        self.inner.fill_bytes(dst);
        Ok(())
    }
}

/// What one path of a scenario draws, path by path for a chunk of keys.
struct Draws {
    /// Per uncertain input: its stream's salt and whether it draws normals.
    inputs: Vec<(u64, bool)>,
    /// `keys x inputs`: variates each input drew for each path.
    counts: Vec<u32>,
    years: usize,
    /// Salts of the yearly normal processes (users, streams) and uniform ones (shocks).
    yearly_normals: Vec<u64>,
    yearly_uniforms: Vec<u64>,
}

impl Draws {
    fn of(scenario: &Scenario) -> Draws {
        let mut rng = chunk_rng(SEED, 0);
        let keys: Vec<u64> = (0..CHUNK_PATHS).map(|_| rng.next_u64()).collect();
        let inputs: Vec<(u64, bool)> = scenario
            .inputs
            .iter()
            .filter(|i| !i.dist.is_fixed())
            .map(|i| {
                let normal = matches!(
                    (i.dist.shape(), i.dist.truncation()),
                    (Shape::Normal { .. } | Shape::LogNormal { .. }, None)
                );
                (i.salt, normal)
            })
            .collect();
        let mut counts = Vec::new();
        let random: Vec<_> = scenario
            .inputs
            .iter()
            .filter(|i| !i.dist.is_fixed())
            .collect();
        for &key in &keys {
            for input in &random {
                let mut stream = Counting {
                    inner: path_stream(key, input.salt),
                    words: 0,
                };
                black_box(input.dist.sample(&mut stream));
                counts.push(stream.words);
            }
        }
        let model = &scenario.model;
        Draws {
            inputs,
            counts,
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

    /// Draws and sums the random numbers of path `p`, whose key is `key`.
    fn floor_path(&self, p: usize, key: u64) -> f64 {
        let mut sum = 0.0;
        let counts = &self.counts[p * self.inputs.len()..(p + 1) * self.inputs.len()];
        for (&(salt, normal), &n) in self.inputs.iter().zip(counts) {
            let mut stream = path_stream(key, salt);
            for _ in 0..n {
                sum += if normal {
                    stream.sample::<f64, _>(StandardNormal)
                } else {
                    stream.random::<f64>()
                };
            }
        }
        for &salt in &self.yearly_normals {
            let mut stream = path_stream(key, salt);
            for _ in 1..self.years {
                sum += stream.sample::<f64, _>(StandardNormal);
            }
        }
        for &salt in &self.yearly_uniforms {
            let mut stream = path_stream(key, salt);
            for _ in 1..self.years {
                sum += stream.random::<f64>();
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
            for p in 0..CHUNK_PATHS as usize {
                total += draws.floor_path(p, rng.next_u64());
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
    bench_rng_floor
);
criterion_main!(benches);
