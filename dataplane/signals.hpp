// Process signals become flags the control plane polls: SIGINT/SIGTERM stop, SIGHUP reopens
// the EVE log, SIGUSR2 reloads the rule files (as Suricata does). Handlers only store to lock-free
// atomics.
#pragma once

#include <atomic>

namespace postern::dataplane {

struct SignalFlags {
    std::atomic<bool> stop{false};
    std::atomic<bool> reopen_logs{false};
    std::atomic<bool> reload_rules{false};
    std::atomic<int> last_signal{0};
};

SignalFlags &signal_flags();
void install_signal_handlers();

}  // namespace postern::dataplane
