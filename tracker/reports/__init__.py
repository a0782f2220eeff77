"""PDF progress reports: the family's (for the doctor or school) and the therapist's (the IEP shape).

- `data`: what a report says, gathered from the same records and rules as the pages (status model,
  corrected age, GAS T-scores), in a fixed number of queries; the charts drawn as SVG.
- `render`: the HTML given to WeasyPrint with local fonts only and a fetcher that refuses the network.
- `services`: making a report (kept as generated, audited, repeated from the cache when nothing changed)
  and sharing one outside the care team.
"""
