"""What every stage of a sweep shares: the sweep's context (:mod:`~sweeps.core.sweep`), its
data loaded once (:mod:`~sweeps.core.dataset`), the one function that trains a trial
(:mod:`~sweeps.core.trial`) and what a resume may not change (:mod:`~sweeps.core.meaning`).
The worker loop that runs trials is :mod:`sweeps.search`."""
