// Plug-in point for what sessions say. A generator turns a few per-flow facts into a Conversation;
// the session builder takes care of TCP. Mail-protocol generators (SMTP, POP3, IMAP) plug in here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "synth/conversation.hpp"
#include "synth/rng.hpp"

namespace postern::synth {

struct PayloadContext {
    uint64_t flow_id = 0;
    uint16_t server_port = 0;
    bool ipv6 = false;
    uint64_t target_bytes = 0;  // application bytes to aim for, both directions (--bytes-per-flow)
    uint64_t start_us = 0;      // session start, for timestamps inside the payload (mail Date headers)
};

class PayloadGenerator {
public:
    virtual ~PayloadGenerator() = default;
    // Fills `out` (empty, teardown FinClient) for one session. Called in flow order; all randomness
    // must come from `rng` so the capture is reproducible.
    virtual void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) = 0;

    // The server port this protocol listens on, for flows whose port is "auto" (--ports auto).
    // 0 = no preference: the flow gets one of kDefaultAutoPorts. Draw only from `rng`.
    virtual uint16_t natural_port(Rng &rng) const {
        (void)rng;
        return 0;
    }
};

// Ports for "auto" flows of generators without a natural port (the synthesizer's default list).
inline constexpr uint16_t kDefaultAutoPorts[] = {25, 110, 143};

using PayloadFactory = std::function<std::unique_ptr<PayloadGenerator>()>;

// Adds (or replaces) a generator under `name`, making it available to --payload.
// Built-ins are "random" and "text"; register new ones in payload_registry.cpp's table so the CLI
// sees them (a static registrar in a static library would be dropped by the linker).
void register_payload_generator(const std::string &name, PayloadFactory factory);

// nullptr when `name` is unknown.
std::unique_ptr<PayloadGenerator> make_payload_generator(std::string_view name);

std::vector<std::string> payload_generator_names();

// Helper for generators: splits `total` bytes into 1..max_turns non-empty turn sizes.
std::vector<uint64_t> split_into_turns(uint64_t total, uint64_t max_turns, Rng &rng);

}  // namespace postern::synth
