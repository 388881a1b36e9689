// The built-in payload generators: "random" (seeded bytes) and "text" (CRLF lines).
#pragma once

#include "synth/payload_generator.hpp"

namespace postern::synth {

// Alternating turns of seeded random bytes; the first speaker is drawn per session.
class RandomPayload final : public PayloadGenerator {
public:
    void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) override;
};

// Alternating turns of printable text lines ending in CRLF (line-oriented parsers' happy path).
class TextPayload final : public PayloadGenerator {
public:
    void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) override;
};

}  // namespace postern::synth
