// "pop3": an RFC 1939 session with RFC 2449 CAPA, server first. +OK greeting (sometimes with an
// APOP timestamp), CAPA, sometimes STLS (the rest is TLS records), USER/PASS, APOP or AUTH PLAIN
// (RFC 5034), STAT, LIST, UIDL, RETR of dot-stuffed messages, sometimes TOP n 0 and pipelined
// commands, DELE, QUIT. Ground truth: the flow's "mail" object (docs/synth.md).
#pragma once

#include "synth/payload_generator.hpp"

namespace postern::synth::mail {

class Pop3Conversation final : public PayloadGenerator {
public:
    void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) override;
    uint16_t natural_port(Rng &rng) const override;  // 110
};

}  // namespace postern::synth::mail
