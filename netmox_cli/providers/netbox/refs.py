"""Looking up (and, for tags and platforms, creating) the NetBox objects that netmox's writes refer to.

Each lookup is cached for the provider's lifetime: an apply of 200 guests asks for a tag or platform once.
``preload`` fills the cache for a whole batch of writes with one list read per type (devices, VLANs,
platforms, tags), so the number of lookups does not grow with the number of guests either.
"""

from __future__ import annotations

from typing import Any

from netmox_cli.config.schema import NetboxDefaults
from netmox_cli.errors import RemoteError
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.mapping import slugify


class References:
    """Ids of the objects a write points at, by the names netmox knows."""

    def __init__(self, client: NetboxClient, cluster: str, defaults: NetboxDefaults) -> None:
        self.client = client
        self.cluster_name = cluster
        self.defaults = defaults
        self._cache: dict[tuple[str, str], Any] = {}

    def preload(self, *, nodes: set[str], vlans: set[int], platforms: set[str], tags: set[str]) -> None:
        """Look up everything a batch of writes refers to, one list read per type."""
        api = self.client.api
        self.cluster()
        self.tenant()
        if nodes and self.cluster() is not None:
            with self.client.guard("devices of the cluster"):
                for device in api.dcim.devices.filter(cluster_id=self.cluster_id(), limit=1000):
                    self._cache[("device", device.name)] = device
            for name in nodes:
                self._cache.setdefault(("device", name), None)
        wanted_vlans = sorted(v for v in vlans if ("vlan", str(v)) not in self._cache)
        if wanted_vlans:
            with self.client.guard("VLANs"):
                found = list(api.ipam.vlans.filter(vid=wanted_vlans, limit=1000))
            for vid in wanted_vlans:
                self._cache[("vlan", str(vid))] = self._pick_vlan([v for v in found if v.vid == vid])
        wanted_platforms = sorted(p for p in platforms if ("platform", p) not in self._cache)
        if wanted_platforms:
            with self.client.guard("platforms"):
                found = list(api.dcim.platforms.filter(name=wanted_platforms, limit=1000))
            for name in wanted_platforms:
                matches = [record for record in found if record.name == name]
                if len(matches) == 1:  # others are looked up by slug, or created, one by one (rare)
                    self._cache[("platform", name)] = matches[0].id
        if tags:
            self.tag_ids(sorted(tags))

    def _cached(self, kind: str, key: str, load: Any) -> Any:
        if (kind, key) not in self._cache:
            with self.client.guard(f"{kind} {key!r}"):
                self._cache[(kind, key)] = load()
        return self._cache[(kind, key)]

    @staticmethod
    def _by_name_or_slug(endpoint: Any, value: str, name_field: str = "name") -> Any:
        found = list(endpoint.filter(**{name_field: value}, limit=2)) or list(endpoint.filter(slug=value, limit=2))
        return found[0] if len(found) == 1 else None

    def cluster(self) -> Any:
        return self._cached(
            "cluster", self.cluster_name, lambda: self.client.api.virtualization.clusters.get(name=self.cluster_name)
        )

    def cluster_id(self) -> int:
        record = self.cluster()
        if record is None:
            raise RemoteError(f"cluster {self.cluster_name!r} does not exist in NetBox", "run `netmox init`")
        return record.id

    def site(self) -> Any:
        """The configured default site, else the site the cluster is scoped to."""
        if self.defaults.site:
            api = self.client.api
            return self._cached(
                "site", self.defaults.site, lambda: self._by_name_or_slug(api.dcim.sites, self.defaults.site)
            )
        cluster = self.cluster()
        if cluster is not None and getattr(cluster, "scope_type", None) == "dcim.site":
            return cluster.scope
        return None

    def device_role(self) -> Any:
        name = self.defaults.device_role
        api = self.client.api
        return self._cached(
            "device role", name or "", lambda: name and self._by_name_or_slug(api.dcim.device_roles, name)
        )

    def device_type(self) -> Any:
        name = self.defaults.device_type
        api = self.client.api
        return self._cached(
            "device type", name or "", lambda: name and self._by_name_or_slug(api.dcim.device_types, name, "model")
        )

    def tenant(self) -> Any:
        name = self.defaults.tenant
        api = self.client.api
        return self._cached("tenant", name or "", lambda: name and self._by_name_or_slug(api.tenancy.tenants, name))

    def node_defaults_problems(self) -> list[str]:
        """Why a node could not be created on NetBox, one message per missing default (empty: fine)."""
        problems = []
        if self.cluster() is None:
            problems.append(f"cluster {self.cluster_name!r} does not exist in NetBox (run `netmox init`)")
        for label, key, record in (
            ("site", "site", self.site()),
            ("device role", "device_role", self.device_role()),
            ("device type", "device_type", self.device_type()),
        ):
            value = getattr(self.defaults, key)
            if record:
                continue
            if value:
                problems.append(f"{label} {value!r} named in netbox.defaults.{key} does not exist in NetBox")
            else:
                problems.append(f"netbox.defaults.{key} is not set (needed to create nodes as NetBox devices)")
        return problems

    def device_id(self, name: str | None) -> int | None:
        """The device of that name in the cluster (nodes are matched by name)."""
        if not name:
            return None
        api = self.client.api
        cluster_id = self.cluster_id()
        record = self._cached(
            "device", name, lambda: next(iter(api.dcim.devices.filter(name=name, cluster_id=cluster_id, limit=1)), None)
        )
        return record.id if record is not None else None

    def forget_device(self, name: str) -> None:
        self._cache.pop(("device", name), None)

    def platform_id(self, platform: str | None) -> int | None:
        """The platform of that name, created when missing (as tags are)."""
        if not platform:
            return None
        api = self.client.api

        def load() -> int:
            record = self._by_name_or_slug(api.dcim.platforms, platform)
            if record is None:
                record = api.dcim.platforms.create(name=platform, slug=slugify(platform))
            return record.id

        return self._cached("platform", platform, load)

    def tag_ids(self, names: list[str]) -> list[int]:
        """Ids of these tags, creating the missing ones (one lookup for all that are not cached yet)."""
        api = self.client.api
        unknown = [n for n in names if ("tag", n) not in self._cache]
        if unknown:
            with self.client.guard("tags"):
                for tag in api.extras.tags.filter(name=unknown, limit=max(len(unknown), 1)):
                    self._cache[("tag", tag.name)] = tag.id
                missing = [name for name in unknown if ("tag", name) not in self._cache]
                if missing:  # one request for all new tags
                    created = api.extras.tags.create([{"name": name, "slug": slugify(name)} for name in missing])
                    for tag in created:
                        self._cache[("tag", tag.name)] = tag.id
        return [self._cache[("tag", n)] for n in names]

    def vlan_id(self, vid: int | None) -> int | None:
        """The VLAN with that VID: the one in the cluster's site if any, else the only one; None when ambiguous."""
        if vid is None:
            return None
        api = self.client.api

        return self._cached("vlan", str(vid), lambda: self._pick_vlan(list(api.ipam.vlans.filter(vid=vid, limit=50))))

    def _pick_vlan(self, candidates: list[Any]) -> int | None:
        """The one in the cluster's site if any, else the only unscoped one, else the only one."""
        site_id = getattr(self.site(), "id", None)
        local = [v for v in candidates if v.site is not None and v.site.id == site_id]
        unscoped = [v for v in candidates if v.site is None]
        for group in (local, unscoped, candidates):
            if len(group) == 1:
                return group[0].id
        return None
