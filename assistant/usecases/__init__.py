"""Use-case tier: what a person does with the product, each taking only the services it uses.

``ask`` (the ask use case: resolve, plan queries, search, decide evidence or gap) with
``composer`` (turns ranked evidence into the offline answer, quoting verbatim); ``coverage``
(clause-by-clause support); ``interview`` (question bank, session state machine, grader,
interview service); ``history`` (practice records, scheduling, readiness, reports);
``library`` (uploaded files), ``status`` (what is indexed), ``access`` (who may see whose
history). The interfaces call these through the factory; these never call an interface.
"""
