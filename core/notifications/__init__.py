"""Notifications: an in-app inbox every user has, and pluggable delivery channels (email, SMS).

The domain decides who is told what and when; this package stores each notification exactly once
per (recipient, kind, subject, period), delivers it on the configured channels exactly once per
channel, and shows it in the app whether or not any channel reached the person.
"""
