"""Check the NLU data and compare Rasa pipelines on the held-out tests.

Runs with the NLU venv (Python 3.10; needs only the standard library and PyYAML):

    .venv-nlu/bin/python nlu/evaluate.py check
    .venv-nlu/bin/python nlu/evaluate.py run [--pipelines logreg diet] [--retrain]

`check` validates nlu/domain.yml, nlu/data/*.yml, nlu/tests/*.yml and nlu/tests/fresh/*.yml
and prints `file:line: problem` lines (exit 1 on errors). `run` trains each pipeline in
nlu/pipelines/ (reusing a model whose inputs did not change), starts a Rasa server for it,
parses every test example and writes var/nlu-report.md and var/nlu-report.json.

Two test sets: nlu/tests/*.yml is the held-out set; its errors are listed in the report and
are used to decide which examples to add. nlu/tests/fresh/*.yml was written by someone who
saw neither the data nor the other tests; the report gives only its figures, never its
errors, so that it stays an honest estimate of how well unseen messages are understood.
Paths are relative to the repository root (the parent of this file's folder).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
NLU = ROOT / "nlu"
VAR = ROOT / "var"
EVAL_DIR = VAR / "nlu-eval"
RASA = Path(sys.executable).parent / "rasa"
LANGUAGES = ("de", "en", "ar", "tr", "ru", "uk", "fa", "pl", "ro", "ku")
RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "RASA_CACHE_DIRECTORY": str(VAR / "rasa-cache"),
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore",
    # no training cache, so that train times are comparable between runs
    "RASA_MAX_CACHE_SIZE": "0",
}
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


# ---------------------------------------------------------------- reading data


@dataclass
class Example:
    """One example sentence with where it came from."""

    text: str
    intent: str
    language: str
    path: Path
    line: int


@dataclass
class Problems:
    """Errors and warnings found while reading data files."""

    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def error(self, path: Path, line: int, message: str) -> None:
        """Record an error at a file position."""
        self.errors.append(f"{_rel(path)}:{line}: {message}")

    def warn(self, path: Path, line: int, message: str) -> None:
        """Record a warning at a file position."""
        self.warnings.append(f"{_rel(path)}:{line}: {message}")


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def strip_annotations(text: str) -> str:
    """Turn `[Cloppenburg](town)` into `Cloppenburg`."""
    return ANNOTATION.sub(r"\1", text)


def domain_intents(problems: Problems) -> List[str]:
    """Read the intent names from nlu/domain.yml."""
    path = NLU / "domain.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.error(path, 1, f"cannot read domain: {exc}")
        return []
    intents = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        problems.error(path, 1, "`intents:` must be a list of names")
        return []
    return intents


def read_examples(path: Path, intents: Sequence[str], problems: Problems) -> List[Example]:
    """Read the intent examples of one Rasa NLU YAML file, recording problems by line."""
    language = path.stem
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(path, 1, f"cannot read: {exc}")
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.error(path, (mark.line + 1) if mark else 1, f"invalid YAML: {exc}")
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.error(path, 1, 'expected a mapping with `version: "3.1"` and `nlu:`')
        return []
    top = {k.value: v for k, v in root.value}
    if "version" not in top:
        problems.warn(path, 1, 'no `version: "3.1"`')
    nlu = top.get("nlu")
    if nlu is None:
        return []
    if not isinstance(nlu, yaml.SequenceNode):
        problems.error(path, nlu.start_mark.line + 1, "`nlu:` must be a list")
        return []
    examples: List[Example] = []
    for item in nlu.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.error(path, line, "each `nlu:` entry must be a mapping")
            continue
        fields = {k.value: v for k, v in item.value}
        if "intent" not in fields:
            continue  # lookup, synonym or regex entries
        intent = fields["intent"].value
        if intent not in intents:
            problems.error(path, line, f"intent {intent!r} is not in nlu/domain.yml")
            continue
        block = fields.get("examples")
        if block is None or not isinstance(block, yaml.ScalarNode) or not block.value.strip():
            problems.error(path, line, f"intent {intent!r} has no `examples: |` block")
            continue
        # a literal block starts on the line after `examples: |`
        first = block.start_mark.line + (2 if block.style == "|" else 1)
        for offset, raw in enumerate(block.value.splitlines()):
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                problems.error(path, first + offset, "example lines must start with '- '")
                continue
            sentence = strip_annotations(stripped[2:].strip())
            if sentence:
                examples.append(Example(sentence, intent, language, path, first + offset))
    return examples


def check_data(verbose: Any = True
               ) -> Tuple[List[Example], List[Example], List[Example], Problems]:
    """Validate domain, training data and tests; return training, held-out and fresh examples."""
    problems = Problems()
    intents = domain_intents(problems)
    if len(intents) != len(set(intents)):
        problems.error(NLU / "domain.yml", 1, "duplicate intent names")
    train: List[Example] = []
    for path in sorted((NLU / "data").glob("*.yml")):
        train += read_examples(path, intents, problems)
    tests: List[Example] = []
    for path in sorted((NLU / "tests").glob("*.yml")):
        tests += read_examples(path, intents, problems)
    fresh: List[Example] = []
    for path in sorted((NLU / "tests" / "fresh").glob("*.yml")):
        fresh += read_examples(path, intents, problems)

    seen: Dict[str, Example] = {}
    for ex in train:
        key = ex.text.casefold()
        other = seen.get(key)
        if other is not None and other.intent != ex.intent:
            problems.error(
                ex.path,
                ex.line,
                f"{ex.text!r} is also an example of {other.intent!r} "
                f"({_rel(other.path)}:{other.line})",
            )
        seen.setdefault(key, ex)
    for ex in tests + fresh:
        if ex.text.casefold() in seen:
            problems.warn(ex.path, ex.line, f"test example {ex.text!r} is also training data")
    counts = Counter((ex.language, ex.intent) for ex in train)
    for language in sorted({ex.language for ex in train} - {"lookups"}):
        for intent in intents:
            if counts[(language, intent)] < 2:
                problems.warn(
                    NLU / "data" / f"{language}.yml",
                    1,
                    f"intent {intent!r} has {counts[(language, intent)]} examples in {language}",
                )
    if verbose:
        for message in problems.warnings if verbose != "quiet" else []:
            print(f"warning: {message}", file=sys.stderr)
        for message in problems.errors:
            print(f"error: {message}", file=sys.stderr)
        print(
            f"nlu: {len(train)} training examples, {len(tests)} held-out and "
            f"{len(fresh)} fresh test examples, "
            f"{len(problems.errors)} errors, {len(problems.warnings)} warnings",
            file=sys.stderr,
        )
    return train, tests, fresh, problems


# ---------------------------------------------------------------- metrics


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the labels seen in truth or prediction (as scikit-learn)."""
    labels = set(truth) | set(predicted)
    if not labels:
        return 0.0
    scores = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def per_intent_f1(truth: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    """F1 for each true intent."""
    result = {}
    for label in sorted(set(truth)):
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        result[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


# ---------------------------------------------------------------- server


def inputs_hash(pipeline: Path) -> str:
    """Hash the pipeline, domain and training data (names and contents)."""
    digest = hashlib.sha256()
    for path in [pipeline, NLU / "domain.yml", *sorted((NLU / "data").glob("*.yml"))]:
        digest.update(f"== {path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train(pipeline: Path, retrain: bool, timeout: float) -> Tuple[Path, Optional[float]]:
    """Train (or reuse) the model for a pipeline; return its path and train seconds."""
    EVAL_DIR.mkdir(parents=True, exist_ok=True)
    name = pipeline.stem
    model = EVAL_DIR / f"{name}.tar.gz"
    stamp = EVAL_DIR / f"{name}.json"
    digest = inputs_hash(pipeline)
    if not retrain and model.exists() and stamp.exists():
        info = json.loads(stamp.read_text())
        if info.get("hash") == digest:
            print(f"nlu-eval: reusing {_rel(model)}", file=sys.stderr)
            return model, info.get("train_seconds")
    print(f"nlu-eval: training {name} (log {_rel(EVAL_DIR / (name + '-train.log'))})",
          file=sys.stderr)
    started = time.monotonic()
    with open(EVAL_DIR / f"{name}-train.log", "w") as log:
        subprocess.run(
            [str(RASA), "train", "nlu", "-c", str(pipeline), "-d", str(NLU / "domain.yml"),
             "--nlu", str(NLU / "data"), "--out", str(EVAL_DIR), "--fixed-model-name", name],
            cwd=ROOT, env={**os.environ, **RASA_ENV}, stdout=log, stderr=subprocess.STDOUT,
            timeout=timeout, check=True,
        )
    seconds = time.monotonic() - started
    stamp.write_text(json.dumps({"hash": digest, "train_seconds": seconds}))
    return model, seconds


def free_port() -> int:
    """Ask the OS for a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A `rasa run --enable-api` process for one model."""

    def __init__(self, model: Path, log: Path) -> None:
        self.port = free_port()
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [str(RASA), "run", "--enable-api", "-m", str(model), "-i", "127.0.0.1",
             "-p", str(self.port)],
            cwd=ROOT, env={**os.environ, **RASA_ENV}, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._local = threading.local()

    def wait(self, timeout: float = 180.0) -> float:
        """Wait until the server answers GET /; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa exited with {self.process.returncode}; see log")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError("rasa did not answer in time")

    def parse(self, text: str) -> Tuple[Dict[str, Any], float]:
        """POST /model/parse over a kept-alive connection; return the answer and seconds."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self._local.conn = conn
        body = json.dumps({"text": text})
        started = time.perf_counter()
        try:
            conn.request("POST", "/model/parse", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"parse answered {response.status}: {data[:200]!r}")
        return json.loads(data), elapsed

    def rss_mb(self) -> Tuple[float, float]:
        """Return the current and peak resident memory of the server in MB (Linux)."""
        current = peak = 0.0
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    current = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
        except OSError:
            pass
        return current, peak

    def stop(self) -> None:
        """Stop the server process and its group."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


# ---------------------------------------------------------------- evaluation


def score_unseen(tests: List[Example], predicted: List[str], seen_texts: set
                 ) -> Dict[str, Any]:
    """Accuracy and macro-F1 of the test examples whose text is not also training data."""
    unseen = [i for i, ex in enumerate(tests) if ex.text.casefold() not in seen_texts]
    truth = [tests[i].intent for i in unseen]
    guessed = [predicted[i] for i in unseen]
    return {
        "n": len(unseen),
        "accuracy": sum(a == b for a, b in zip(truth, guessed)) / len(unseen) if unseen else 0,
        "macro_f1": macro_f1(truth, guessed),
    }


def score(tests: List[Example], predicted: List[str]) -> Dict[str, Any]:
    """Accuracy and macro-F1 overall and per language."""
    truth = [ex.intent for ex in tests]
    by_language: Dict[str, Dict[str, Any]] = {}
    for language in sorted({ex.language for ex in tests}, key=_language_order):
        idx = [i for i, ex in enumerate(tests) if ex.language == language]
        t = [truth[i] for i in idx]
        p = [predicted[i] for i in idx]
        by_language[language] = {
            "n": len(idx),
            "accuracy": sum(a == b for a, b in zip(t, p)) / len(idx),
            "macro_f1": macro_f1(t, p),
        }
    return {
        "n": len(tests),
        "accuracy": sum(a == b for a, b in zip(truth, predicted)) / len(tests) if tests else 0,
        "macro_f1": macro_f1(truth, predicted),
        "by_language": by_language,
    }


def evaluate_pipeline(
    pipeline: Path, tests: List[Example], fresh: List[Example], seen_texts: set, retrain: bool,
    train_timeout: float, concurrency: int,
) -> Dict[str, Any]:
    """Train, serve and score one pipeline."""
    name = pipeline.stem
    model, train_seconds = train(pipeline, retrain, train_timeout)
    server = Server(model, EVAL_DIR / f"{name}-server.log")
    try:
        startup = server.wait()
        rss_idle, _ = server.rss_mb()
        for _ in range(5):
            server.parse("hallo")
        predictions: List[Tuple[str, float]] = []
        single: List[float] = []
        for ex in tests + fresh:
            answer, seconds = server.parse(ex.text)
            intent = answer.get("intent") or {}
            predictions.append((intent.get("name") or "", float(intent.get("confidence") or 0)))
            single.append(seconds)
        texts = [ex.text for ex in tests] or ["hallo"] * 50
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            started = time.perf_counter()
            concurrent = [s for _, s in pool.map(server.parse, texts)]
            wall = time.perf_counter() - started
        rss, peak = server.rss_mb()
    finally:
        server.stop()

    fresh_predicted = [p for p, _ in predictions[len(tests):]]
    predictions = predictions[:len(tests)]
    truth = [ex.intent for ex in tests]
    predicted = [p for p, _ in predictions]
    confused = Counter((t, p) for t, p in zip(truth, predicted) if t != p)
    errors = [
        {"language": ex.language, "text": ex.text, "intent": ex.intent, "predicted": p,
         "confidence": round(c, 3), "where": f"{_rel(ex.path)}:{ex.line}"}
        for ex, (p, c) in zip(tests, predictions) if p != ex.intent
    ]
    correct_conf = [c for (p, c), t in zip(predictions, truth) if p == t]
    wrong_conf = [c for (p, c), t in zip(predictions, truth) if p != t]
    return {
        "pipeline": name,
        "file": _rel(pipeline),
        "train_seconds": train_seconds,
        "model_mb": model.stat().st_size / 1e6,
        "startup_seconds": startup,
        "rss_mb_idle": rss_idle,
        "rss_mb_after": rss,
        "rss_mb_peak": peak,
        **score(tests, predicted),
        "fresh": score(fresh, fresh_predicted),
        "unseen": score_unseen(tests, predicted, seen_texts),
        "fresh_unseen": score_unseen(fresh, fresh_predicted, seen_texts),
        "per_intent_f1": per_intent_f1(truth, predicted),
        "confused": [
            {"intent": t, "predicted": p, "count": n} for (t, p), n in confused.most_common(15)
        ],
        "confidence_median_correct": statistics.median(correct_conf) if correct_conf else None,
        "confidence_median_wrong": statistics.median(wrong_conf) if wrong_conf else None,
        "latency_ms_single": {"p50": percentile(single, 50) * 1000,
                              "p99": percentile(single, 99) * 1000},
        "latency_ms_concurrent": {"p50": percentile(concurrent, 50) * 1000,
                                  "p99": percentile(concurrent, 99) * 1000,
                                  "concurrency": concurrency,
                                  "throughput_per_s": len(texts) / wall},
        "errors": errors,
        "predictions": [[p, round(c, 4)] for p, c in predictions],
    }


def _language_order(language: str) -> Tuple[int, str]:
    return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), language)


def _worst(scores: Dict[str, Any]) -> str:
    """`0.951, fa 0.93` for a score from `score()`, or – without examples."""
    if not scores["n"]:
        return "–"
    language, worst = min(scores["by_language"].items(), key=lambda kv: kv[1]["macro_f1"])
    return f"{scores['macro_f1']:.3f}, {language} {worst['macro_f1']:.3f}"


def _fmt(value: Optional[float], digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def write_report(results: List[Dict[str, Any]], train: List[Example], tests: List[Example],
                 fresh: List[Example], notes: List[str]) -> None:
    """Write var/nlu-report.md and var/nlu-report.json."""
    VAR.mkdir(exist_ok=True)
    train_langs = Counter(ex.language for ex in train)
    test_langs = Counter(ex.language for ex in tests)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "train_examples": dict(sorted(train_langs.items(), key=lambda kv: _language_order(kv[0]))),
        "test_examples": dict(sorted(test_langs.items(), key=lambda kv: _language_order(kv[0]))),
        "notes": notes,
    }
    (VAR / "nlu-report.json").write_text(json.dumps(
        {"meta": meta, "results": results,
         "tests": [[ex.language, ex.intent, ex.text] for ex in tests]},
        ensure_ascii=False, indent=1,
    ))
    lines = [
        "# NLU evaluation",
        "",
        f"{meta['date']}, {meta['cpus']} CPUs. Training examples per file: "
        + ", ".join(f"{k} {v}" for k, v in meta["train_examples"].items())
        + f" (total {len(train)}). Held-out test examples: "
        + (", ".join(f"{k} {v}" for k, v in meta["test_examples"].items()) or "none")
        + f" (total {len(tests)}). Fresh test examples: {len(fresh)}.",
        "",
    ]
    lines += [f"- {note}" for note in notes] + ([""] if notes else [])
    lines += ["\"unseen\" = test examples whose text (ignoring case) is not also a training "
              "example; short phrases like \"Merhaba\" occur in both.", ""]
    lines += [
        "| pipeline | train s | model MB | start s | RSS MB (peak) | p50/p99 ms, 1 at a time "
        "| p50/p99 ms, 10 concurrent | req/s | accuracy | macro-F1 | worst language F1 "
        "| macro-F1 unseen | fresh: macro-F1, worst language; unseen |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        worst = min(r["by_language"].items(), key=lambda kv: kv[1]["macro_f1"], default=None)
        single, conc = r["latency_ms_single"], r["latency_ms_concurrent"]
        lines.append(
            f"| {r['pipeline']} | {_fmt(r['train_seconds'], 0)} | {r['model_mb']:.1f} "
            f"| {r['startup_seconds']:.0f} | {r['rss_mb_after']:.0f} ({r['rss_mb_peak']:.0f}) "
            f"| {single['p50']:.0f} / {single['p99']:.0f} | {conc['p50']:.0f} / {conc['p99']:.0f} "
            f"| {conc['throughput_per_s']:.0f} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} "
            f"| {worst[0] + ' ' + format(worst[1]['macro_f1'], '.3f') if worst else '–'} "
            f"| {r['unseen']['macro_f1']:.3f} (n={r['unseen']['n']}) "
            f"| {_worst(r['fresh'])}; unseen {r['fresh_unseen']['macro_f1']:.3f} "
            f"(n={r['fresh_unseen']['n']}) |"
        )
    languages = sorted({lang for r in results for lang in r["by_language"]}, key=_language_order)
    if languages:
        lines += ["", "## Per language: accuracy / macro-F1", "",
                  "| pipeline | " + " | ".join(languages) + " | all |",
                  "|---|" + "---|" * (len(languages) + 1)]
        for r in results:
            cells = []
            for lang in languages:
                m = r["by_language"].get(lang)
                cells.append(f"{m['accuracy']:.2f} / {m['macro_f1']:.2f}" if m else "–")
            lines.append(f"| {r['pipeline']} | " + " | ".join(cells)
                         + f" | {r['accuracy']:.2f} / {r['macro_f1']:.2f} |")
        lines += ["", "## Fresh test set: macro-F1 per language", "",
                  "Written without seeing the training data or the held-out tests; only "
                  "figures are reported here, never its errors.", "",
                  "| pipeline | " + " | ".join(languages) + " | all |",
                  "|---|" + "---|" * (len(languages) + 1)]
        for r in results:
            fresh_by = r["fresh"]["by_language"]
            cells = [f"{fresh_by[lang]['macro_f1']:.3f}" if lang in fresh_by else "–"
                     for lang in languages]
            lines.append(f"| {r['pipeline']} | " + " | ".join(cells)
                         + f" | {r['fresh']['macro_f1']:.3f} |")
    for r in results:
        lines += ["", f"## {r['pipeline']}: most confused intents (true → predicted)", ""]
        if not r["confused"]:
            lines.append("none")
        for c in r["confused"][:10]:
            lines.append(f"- {c['intent']} → {c['predicted']}: {c['count']}")
        weakest = sorted(r["per_intent_f1"].items(), key=lambda kv: kv[1])[:5]
        lines += ["", "Weakest intents (F1): "
                  + ", ".join(f"{k} {v:.2f}" for k, v in weakest)]
        lines.append(
            f"Median confidence: correct {_fmt(r['confidence_median_correct'], 2)}, "
            f"wrong {_fmt(r['confidence_median_wrong'], 2)}. "
            "All misclassified examples are listed in var/nlu-report.json."
        )
    (VAR / "nlu-report.md").write_text("\n".join(lines) + "\n")


def run(args: argparse.Namespace) -> int:
    """Evaluate the chosen pipelines and write the report."""
    train_examples, tests, fresh, problems = check_data()
    if problems.errors:
        return 1
    notes: List[str] = []
    missing = [lang for lang in LANGUAGES if not (NLU / "tests" / f"{lang}.yml").exists()]
    if missing:
        notes.append("no held-out tests yet for: " + ", ".join(missing))
    missing_train = [lang for lang in LANGUAGES if not (NLU / "data" / f"{lang}.yml").exists()]
    if missing_train:
        notes.append("no training data yet for: " + ", ".join(missing_train))
    if not tests:
        print("nlu-eval: no test examples in nlu/tests/*.yml", file=sys.stderr)
        return 1
    seen_texts = {ex.text.casefold() for ex in train_examples}
    pipelines = sorted((NLU / "pipelines").glob("*.yml"))
    if args.pipelines:
        pipelines = [p for p in pipelines if p.stem in args.pipelines]
    results = []
    for pipeline in pipelines:
        try:
            results.append(evaluate_pipeline(
                pipeline, tests, fresh, seen_texts, args.retrain, args.train_timeout,
                args.concurrency))
        except (subprocess.SubprocessError, RuntimeError, TimeoutError, OSError) as exc:
            notes.append(f"{pipeline.stem}: failed: {exc}")
            print(f"nlu-eval: {pipeline.stem} failed: {exc}", file=sys.stderr)
        write_report(results, train_examples, tests, fresh, notes)
    print((VAR / "nlu-report.md").read_text())
    return 0 if results else 1


def main(argv: Optional[Iterable[str]] = None) -> int:
    """Parse the command line and run a subcommand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check_parser = sub.add_parser("check", help="validate domain, training data and tests")
    check_parser.add_argument("--quiet", action="store_true", help="print errors only")
    run_parser = sub.add_parser("run", help="train, serve and score each pipeline")
    run_parser.add_argument("--pipelines", nargs="*", help="names in nlu/pipelines/ (default all)")
    run_parser.add_argument("--retrain", action="store_true", help="ignore reusable models")
    run_parser.add_argument("--train-timeout", type=float, default=1800.0)
    run_parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "check":
        return 1 if check_data("quiet" if args.quiet else True)[3].errors else 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
