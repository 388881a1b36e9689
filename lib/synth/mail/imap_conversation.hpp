// "imap": an RFC 3501/9051 session, server first. * OK greeting, tagged commands a001, a002, ...:
// CAPABILITY, sometimes STARTTLS (the rest is TLS records), LOGIN or AUTHENTICATE PLAIN (SASL-IR
// or "+ " continuation), LIST "" "*", SELECT INBOX, UID SEARCH, UID FETCH of header fields and of
// whole messages as BODY[] literals, STORE +FLAGS (\Seen), APPEND to Drafts with a synchronizing
// or LITERAL+ literal, IDLE ... DONE, LOGOUT. Ground truth: the flow's "mail" object.
#pragma once

#include "synth/payload_generator.hpp"

namespace postern::synth::mail {

class ImapConversation final : public PayloadGenerator {
public:
    void generate(const PayloadContext &ctx, Rng &rng, Conversation &out) override;
    uint16_t natural_port(Rng &rng) const override;  // 143
};

}  // namespace postern::synth::mail
