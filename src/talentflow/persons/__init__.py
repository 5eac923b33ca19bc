"""Person resolution: which authorships belong to one person, across source ids and name-only records.

Today every authorship's identity is its source id (IEEE, ACL Anthology, OpenReview id, or a
name key for venues without ids). This package puts a layer between those source identities
and careers: every authorship is linked to a *person* by probabilistic record linkage (splink,
Fellegi-Sunter on DuckDB) and clustered at a recorded match-probability threshold.

- :mod:`talentflow.persons.features`: one linkage record per authorship, built in DuckDB SQL from
  the warehouse (normalized name forms, co-authors, institutions, countries, e-mail domain,
  venue and venue field, year, source id);
- :mod:`talentflow.persons.link`: the splink model (comparisons, blocking, training, prediction,
  clustering) and the person keys;
- :mod:`talentflow.persons.params`: :class:`PersonsParams`, the recorded parameters (threshold...).

The API (``talentflow.persons_api``) stores the result in the ``persons`` table
(``talentflow.schema.persons``); ``talentflow infer --identity resolved`` keys careers on it.
See docs/persons.md.
"""
