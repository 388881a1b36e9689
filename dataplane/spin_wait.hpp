// Busy-waiting on a full ring or channel, where the policy is to wait (rx.on_ring_full: wait,
// output.on_event_queue_full: wait) and at shutdown, where nothing may be lost.
#pragma once

#include <rte_pause.h>

namespace postern::dataplane {

// Tries `done` until it says true, pausing the core between tries.
template <class Done>
void spin_until(Done &&done) {
    while (!done()) rte_pause();
}

}  // namespace postern::dataplane
