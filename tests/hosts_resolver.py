"""A DNS resolver for test crawls that knows a few names, as a hosts file would."""

from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

#: names that resolve to a private address, for the private-address refusal
HOSTS = {"www.intranet.test": "127.0.0.1", "router.firma.test": "192.168.0.1"}


class HostsResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout=()):
        if name in HOSTS:
            return defer.succeed(HOSTS[name])
        return super().getHostByName(name, timeout)
