__version__ = "0.1.0"
# OpenMP threads that spin while they wait make a CPU shared with another process several times slower (a demo step
# took 5-7 s instead of 1.1-1.8 s on 2 busy cores while 07_training was built). torch reads the policy when it loads,
# so it is set here, before any submodule imports torch; an OMP_WAIT_POLICY already in the environment wins.
import os as _os
_os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
