"""The README stays true: the two commands on its first lines, every command and setting."""

import re

from conftest import ROOT
from server.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_lines_give_run_and_test_commands():
    head = README.splitlines()[:5]
    assert any(line.strip().startswith("make run") for line in head)
    assert any(line.strip().startswith("make test") for line in head)


def test_makefile_has_those_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def _subcommands(parser, prefix=()):
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            if sub._subparsers:
                yield from _subcommands(sub, (*prefix, name))
            else:
                yield (*prefix, name), sub


def test_every_command_is_in_the_readme():
    for words, sub in _subcommands(build_parser()):
        command = "genba " + " ".join(words)
        assert f"`{command}" in README, f"{command} is not documented in README.md"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"{command} {flag} is not documented in README.md"


def test_every_environment_setting_is_documented():
    source = (ROOT / "server" / "core" / "settings.py").read_text(encoding="utf-8")
    for name in set(re.findall(r"GENBA_[A-Z_]+", source)):
        assert name in README, f"{name} is not documented in README.md"
