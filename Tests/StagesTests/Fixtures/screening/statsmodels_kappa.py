"""Cohen's kappa of contingency tables as statsmodels computes it (reference for ScreeningTests).

Reads {"cases": [{"name", "table"}]} on stdin (or a file argument) and prints, for each case, kappa,
std_kappa and kappa +- 1.96 * std_kappa as JSON. With --write FILE it writes that JSON, which the Swift
tests compare against when Benchmarks/.venv (with statsmodels) is absent.
"""
import json
import sys

from statsmodels.stats.inter_rater import cohens_kappa


def main():
    args = sys.argv[1:]
    write = None
    if args[:1] == ["--write"]:
        write, args = args[1], args[2:]
    source = open(args[0]) if args else sys.stdin
    cases = json.load(source)["cases"]
    out = []
    for case in cases:
        res = cohens_kappa(case["table"])
        out.append({
            "name": case["name"], "table": case["table"], "kappa": float(res.kappa), "std_kappa": float(res.std_kappa),
            "kappa_ci_low": float(res.kappa - 1.96 * res.std_kappa), "kappa_ci_high": float(res.kappa + 1.96 * res.std_kappa),
        })
    text = json.dumps({"cases": out, "statsmodels": __import__("statsmodels").__version__}, indent=1, sort_keys=True) + "\n"
    if write:
        open(write, "w").write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
