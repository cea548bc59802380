#!/usr/bin/env bash
# publint (strict) and Are The Types Wrong (its default profile: node10, node16 from CJS and ESM, bundler)
# over every published package.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in packages/*; do
  if [ "$(node -p "require('./$dir/package.json').private === true")" = true ]; then continue; fi
  publint --strict "$dir"
  attw --pack "$dir"
done
