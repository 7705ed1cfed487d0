"""WhatsApp Business (Cloud API) channel: webhook, parsing, buyers' numbers, sending, media.

Layout (plain Python first, Django after):

- ``signature``, ``parse``, ``text``, ``render``, ``crypto``: no database; unit-tested alone.
- ``models``: configuration (accounts, numbers), the raw inbox, inbound messages, statuses, outbound
  rows with their attempts, contacts and linking challenges.
- ``views``: the webhook (verify, store raw, 200). Nothing else happens in the request.
- ``inbound`` / ``media`` / ``linking``: the background processing of stored deliveries.
- ``transport`` / ``outbound``: the one HTTP chokepoint to the Graph API and the send queue.
- ``window``: the 24-hour customer-service window (read by the agent API).
"""
