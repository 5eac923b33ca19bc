#!/usr/bin/env bash
# Java 17+ for the Spark engine (PySpark 4 needs it). Idempotent: does nothing when a java of
# version 17 or newer is already on PATH; otherwise installs Debian's headless JRE.
set -euo pipefail
major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if command -v java >/dev/null 2>&1 && [ "$(major)" -ge 17 ] 2>/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_java: no java >= 17 and no apt-get; install a Java 17+ runtime by hand" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
else
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
fi
java -version 2>&1 | head -1
