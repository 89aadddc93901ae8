"""Reads a Latent XRD dataset with h5py, as a PyTorch or TensorFlow user would, checks it against
the layout documented in docs/dataset-format.md, and prints what it read as JSON.

Usage: python3 check_dataset.py DATASET.h5

Exit 0 with the JSON report on stdout when the file is as documented; exit 1 with the first
difference on stderr otherwise. Needs h5py and numpy (Debian: python3-h5py python3-numpy).
"""
import hashlib
import json
import sys

import h5py
import numpy as np


class Mismatch(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Mismatch(message)


def text(value):
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def strings(dataset):
    return [text(v) for v in dataset[()]]


def plain(value):
    """An attribute as JSON can carry it."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return text(value) if isinstance(value, (bytes, np.bytes_, str)) else value


def check(path):
    with h5py.File(path, "r") as f:
        attrs = {name: plain(f.attrs[name]) for name in f.attrs}
        expect(attrs.get("software") == "latent-xrd", f"attribute software is {attrs.get('software')!r}, not 'latent-xrd'")
        for name in ("version", "config", "radiation", "augmentation", "seed", "mixture_role", "parameters_per_phase", "sha256"):
            expect(name in attrs, f"attribute {name} is missing")

        patterns = f["patterns"]
        expect(patterns.dtype == np.dtype("<f4"), f"patterns is {patterns.dtype}, not float32")
        expect(len(patterns.shape) == 2, f"patterns has shape {patterns.shape}")
        n, points = patterns.shape
        names = strings(f["phase_names"])
        phases = len(names)
        shapes = {
            "two_theta": ((points,), "<f8"),
            "labels": ((n,), "<i4"),
            "fractions": ((n, phases), "<f4"),
            "weight_fractions": ((n, phases), "<f4"),
            "phase_densities": ((phases,), "<f8"),
        }
        for name, (shape, dtype) in shapes.items():
            d = f[name]
            expect(d.shape == shape, f"{name} has shape {d.shape}, not {shape}")
            expect(d.dtype == np.dtype(dtype), f"{name} is {d.dtype}, not {np.dtype(dtype)}")
        for name in ("phase_roles", "phase_files"):
            expect(f[name].shape == (phases,), f"{name} has shape {f[name].shape}, not ({phases},)")

        x = patterns[()]
        labels = f["labels"][()]
        two_theta = f["two_theta"][()]
        weights = f["weight_fractions"][()]
        fractions = f["fractions"][()]
        roles = strings(f["phase_roles"])
        expect(np.all(np.isfinite(x)) and x.min() >= 0 and x.max() <= 1, "patterns are not all in [0, 1]")
        expect(np.all((labels >= -1) & (labels < phases)), "a label names no phase")
        expect(np.all(np.diff(two_theta) > 0), "two_theta is not increasing")
        expect(np.allclose(weights.sum(axis=1), 1, atol=1e-5), "a row of weight_fractions does not sum to 1")
        expect(set(roles) <= {"known", "unknown"}, f"phase_roles holds {sorted(set(roles))}")
        expect(attrs["mixture_role"] in ("known", "novel"), f"mixture_role is {attrs['mixture_role']!r}")

        config = json.loads(attrs["config"])
        expect([p.get("name") for p in config["phases"]] == names, "the config's phases are not phase_names")
        for name in ("radiation", "augmentation"):
            json.loads(attrs[name])

        per_phase = [p for p in attrs["parameters_per_phase"].split(",") if p]
        parameters = {}
        for name, d in f["parameters"].items():
            expect(d.dtype == np.dtype("<f4"), f"parameters/{name} is {d.dtype}, not float32")
            shape = (n, phases) if name in per_phase else (n,)
            expect(d.shape == shape, f"parameters/{name} has shape {d.shape}, not {shape}")
            values = d[()]
            missing = np.isnan(values)
            if name not in per_phase:
                expect(not missing.any(), f"parameters/{name} holds NaN; a per-pattern parameter has a value for every pattern")
            elif not name.startswith("texture_"):
                # NaN exactly where the phase is absent (texture axes also where a phase has none).
                expect(np.array_equal(missing, fractions == 0), f"parameters/{name} is not NaN exactly where the phase is absent")
            parameters[name] = {"shape": list(d.shape), "sum": float(values[~missing].astype(np.float64).sum()), "nan": int(missing.sum())}
        expect(set(per_phase) <= set(parameters), "parameters_per_phase names a missing parameter")

        recorded = json.loads(attrs["sha256"])
        for name, digest in recorded.items():
            actual = hashlib.sha256(np.ascontiguousarray(f[name][()]).tobytes()).hexdigest()
            expect(actual == digest, f"{name}: its SHA-256 is not the one recorded in the sha256 attribute")

        return {
            "count": int(n),
            "points": int(points),
            "dtypes": {name: str(f[name].dtype) for name in ("patterns", "two_theta", "labels", "fractions", "weight_fractions", "phase_densities")},
            "phase_names": names,
            "phase_roles": roles,
            "phase_files": strings(f["phase_files"]),
            "labels": labels.tolist(),
            "two_theta": [float(two_theta[0]), float(two_theta[-1])],
            "pattern_sum": float(x.astype(np.float64).sum()),
            "parameters": parameters,
            "checksums_verified": sorted(recorded),
            "attributes": {k: v for k, v in attrs.items() if k != "sha256"},
        }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        report = check(sys.argv[1])
    except (Mismatch, KeyError, ValueError) as e:
        sys.exit(f"{sys.argv[1]}: {e}")
    json.dump(report, sys.stdout)
