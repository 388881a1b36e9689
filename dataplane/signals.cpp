#include "signals.hpp"

#include <csignal>

namespace postern::dataplane {

SignalFlags &signal_flags() {
    static SignalFlags flags;
    return flags;
}

namespace {
void on_signal(int sig) {
    auto &f = signal_flags();
    f.last_signal.store(sig, std::memory_order_relaxed);
    if (sig == SIGHUP) f.reopen_logs.store(true, std::memory_order_relaxed);
    else if (sig == SIGUSR2) f.reload_rules.store(true, std::memory_order_relaxed);
    else f.stop.store(true, std::memory_order_relaxed);
}
}  // namespace

void install_signal_handlers() {
    static_assert(std::atomic<bool>::is_always_lock_free);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR2}) sigaction(sig, &sa, nullptr);
}

}  // namespace postern::dataplane
