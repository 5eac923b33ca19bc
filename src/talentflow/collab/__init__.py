"""International collaboration (issue 8): co-authorship networks, brain circulation, links to flows.

``networks`` counts papers and pairs (full and fractional) and computes network measures;
``circulation`` compares movers' co-authorship with their origin country against matched stayers;
``ties`` turns collaboration into a gravity covariate and asks whether flows follow it;
``load`` reads the frames they need from the warehouse. The public API is ``talentflow.collab_api``.
"""
