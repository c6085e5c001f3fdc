"""Every write of this app: keyword-only functions named <entity>_<action>."""
