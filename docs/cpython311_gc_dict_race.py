"""Why Outreach refuses CPython 3.11: the interpreter bug behind the web workers' SIGSEGV, without any third-party code.

Run it with each interpreter:  python docs/cpython311_gc_dict_race.py

On CPython 3.11 an object's attributes live in an inline values array until something needs a real
``__dict__``; turning them into one ("materialising" it) counts the attributes first and then
allocates the dict. In 3.11 that allocation can start a garbage collection, and the collection can run
weakref callbacks, here one that deletes an attribute of the very object whose dict is being made.
The new dict keeps the count taken before the collection, so it claims an attribute it does not hold.
The next resize of that dict copies entries it does not have: 3.11.2 dies with SIGSEGV right there,
Debian's debug build (python3.11-dbg) stops on ``get_index_from_order: Assertion `i < ...` failed``,
3.11.7 carries on with a corrupt dict. CPython 3.12 runs the collector only between bytecodes, never
inside an allocation (gh-97922), so the callback runs after the dict is complete and nothing is lost.

SQLAlchemy's ``InstanceState`` is exactly this shape: ``InstanceState._cleanup`` is the weakref callback
of a mapped object and deletes ``state._instance_dict``; ``Session.close`` stores ``state._strong_obj``
on every state it detaches, which materialises the dict when that name is not among the class's shared
keys; the mapped objects (relationships in both directions) are reference cycles that only the
collector frees.
"""
import gc
import sys
import weakref


class Target:
    """Plays the mapped object: only a reference cycle keeps it, so only the collector frees it."""


class State:
    """Plays SQLAlchemy's InstanceState (slots are not needed for the bug; a plain class shows it too)."""

    __slots__ = ("__dict__", "__weakref__", "obj")

    def __init__(self, target: Target) -> None:
        self.obj = weakref.ref(target, self._cleanup)
        self.key = ("Contact", 1)
        self._instance_dict = object()
        self.runid = 7

    def _cleanup(self, ref: object) -> None:
        del self._instance_dict  # what InstanceState._cleanup does


def main() -> int:
    target = Target()
    target.cycle = target
    state = State(target)
    del target                            # cyclic garbage now; the state lives on
    keep = [{} for _ in range(200)]       # empty the dict free list: the next dict is a fresh allocation
    gc.set_threshold(1, 1, 1)             # ... and that allocation starts a collection
    attributes = state.__dict__           # materialise the inline values into a dict
    gc.disable()                          # nothing may change the dict while it is looked at
    held = [name for name in ("key", "_instance_dict", "runid") if name in attributes]
    consistent = len(attributes) == len(held)
    print(f"CPython {sys.version.split()[0]}: len(__dict__) = {len(attributes)}, holds {held}: "
          + ("consistent" if consistent else "CORRUPT (counts an attribute it does not hold)"), flush=True)
    attributes["extra"] = 1               # a key the shared keys lack: the split dict is resized
    print("after the resize:", sorted(attributes), flush=True)
    del keep
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
