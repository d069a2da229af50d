"""``netmox watch``: react to NetBox webhooks with scoped plans and applies, and reconcile periodically.

Module map: ``signature`` (X-Hook-Signature), ``events`` (webhook body → the objects it concerns),
``lookup`` (the NetBox reads an event may need), ``debounce`` (gather and coalesce per object),
``scoped`` (plan only those objects, equivalent to the full plan restricted to them), ``runner`` (one run
under the lock, the executor and the history), ``status`` (``/healthz`` and ``/metrics``), ``server``
(the HTTP endpoints), ``loop`` (threads, periodic reconcile, retries).
"""
