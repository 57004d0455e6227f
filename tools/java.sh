#!/usr/bin/env bash
# make java: Java 17+ and Maven, which the Spark engine, the cluster tests and `make jars` (jvm/pom.xml) need.
# Nothing happens when both are there; else Debian's packages are installed with apt-get as root or with sudo,
# and without either it stops at once, printing the command to run.
set -uo pipefail

packages="openjdk-17-jdk-headless maven"

java_major() {  # 17 for 'openjdk version "17.0.15"', 1 for '"1.8.0_402"', none without java
  command -v java >/dev/null || { echo none; return; }
  java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1
}

ready() { [ "$(java_major)" -ge 17 ] 2>/dev/null && command -v mvn >/dev/null; }

found() { echo "java $(java_major), mvn $(command -v mvn >/dev/null && echo present || echo missing)"; }

ready && exit 0
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null; then
  sudo="sudo"
fi
if ! command -v apt-get >/dev/null || [ -z "${sudo+set}" ]; then
  echo "make java: Java 17 or later and Maven are needed (found $(found)); as root run (Debian/Ubuntu), then make again:" >&2
  echo "  apt-get update && apt-get install -y $packages" >&2
  exit 1
fi
echo "[java] $packages: not found ($(found)), installing with ${sudo:-root} apt-get ..."
$sudo apt-get update -qq && $sudo apt-get install -y -qq $packages || exit 1
ready || { echo "make java: still $(found) after the install; choose Java 17 with: update-alternatives --config java" >&2; exit 1; }
