"""implicit-bias: executable, checked theorems about the implicit bias of gradient descent.

One import package with five layers, each a subpackage (mapped from the repository's
top-level folders):

* :mod:`implicit_bias.theory` -- closed-form and convex predictions (numpy, sympy, cvxpy;
  no JAX), exact where the instance is rational, with certificates;
* :mod:`implicit_bias.numerics` -- the JAX training engine (one jitted, vmapped, shardable
  loop; optimizers as pure (init, update) pairs; losses) and the models;
* :mod:`implicit_bias.proofs` -- sympy derivations behind each closed form, as checked lemmas;
* :mod:`implicit_bias.claims` -- where theory meets numerics: every claim stated once and used
  by the tests, by ``implicit-bias verify`` and by the conjecture search;
* the command line ``implicit-bias`` (:mod:`implicit_bias.claims.cli`).

Importing this package imports nothing heavy; JAX is loaded only by ``numerics`` (and the
claims that train). The mathematics, conventions and references are in ``docs/``.

>>> import implicit_bias
>>> implicit_bias.__version__
'0.2.0'
"""

__version__ = "0.2.0"

__all__ = ["__version__"]
