"""Referral: the network of persons, cases and agencies, its coverage, the lists and letters."""
