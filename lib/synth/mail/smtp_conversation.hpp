// "smtp": an RFC 5321 session, server first. 220 greeting, EHLO and its capabilities, sometimes
// STARTTLS (the rest is TLS records) or AUTH PLAIN/LOGIN, then one or more messages by DATA
// (dot-stuffed) or BDAT, sometimes pipelined, with RSET/NOOP between, and QUIT. Port 587 means
// submission: the client authenticates; port 25 means relay: usually no AUTH and the messages
// already carry a Received header. Ground truth: the flow's "mail" object (docs/synth.md).
#pragma once

#include "synth/payload_generator.hpp"

namespace postern::synth::mail {

class SmtpConversation final : public PayloadGenerator {
public:
    void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) override;
    uint16_t natural_port(Rng &rng) const override;  // 25 or 587
};

}  // namespace postern::synth::mail
