"""A small organisation file, for tests that need a county of their own rather than the sample one."""

from __future__ import annotations


def small_org(members: str = "", villages: str = "") -> bytes:
    """County C, township T1 and two villages: V1 with an ecology team, its name holding a '/' (which a file name
    cannot), and V2 with ecology and culture teams. `villages` and `members` are TOML tables added as given."""
    return f"""
[county]
code = "C"
name = "County"
[[townships]]
code = "T1"
name = "Town"
[[villages]]
code = "V1"
name = "Village/one"
township = "T1"
teams = ["ecology"]
[[villages]]
code = "V2"
name = "Village two"
township = "T1"
teams = ["ecology", "culture"]
{villages}
{members}
""".encode()
