"""netsync: GitOps for law-firm referral networks (CaseXchange, Smokeball, Trackops)."""

__version__ = "0.1.0"
