#!/usr/bin/env bash
# One shard of a sharded run per Slurm array task; merge once all have finished.
#
#   sbatch deploy/slurm.sh                       # 16 shards of 100 million paths
#   sbatch --dependency=afterok:<jobid> --wrap 'simulate merge parts/part-*.json --format json --out report.json'
#
# Every shard must use the same scenario file, seed, paths and sampler; the shard count is
# the array size. `simulate merge` refuses parts that do not belong together.
#SBATCH --job-name=breakeven
#SBATCH --array=0-15
#SBATCH --cpus-per-task=4
#SBATCH --mem=1G
#SBATCH --time=01:00:00
#SBATCH --output=parts/%x-%a.log
set -euo pipefail

SCENARIO=${SCENARIO:-scenarios/openai.toml}
PATHS=${PATHS:-100000000}
SEED=${SEED:-20251123}
SAMPLER=${SAMPLER:-mc}
SHARDS=${SLURM_ARRAY_TASK_COUNT:?run as an array job}

mkdir -p parts
simulate "$SCENARIO" --paths "$PATHS" --seed "$SEED" --sampler "$SAMPLER" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
    --out "parts/part-${SLURM_ARRAY_TASK_ID}.json"
