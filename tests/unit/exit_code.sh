#!/usr/bin/env bash
# Runs a command with stderr folded into stdout, then prints "exit code N" on a line of its
# own, so a ctest PASS_REGULAR_EXPRESSION (which makes ctest ignore the exit code) checks both.
"$@" 2>&1
echo "exit code $?"
