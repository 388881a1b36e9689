// One SASL exchange as the wire shows it (SMTP AUTH, RFC 4954; POP3 AUTH, RFC 5034; IMAP
// AUTHENTICATE, RFC 3501 6.2.2): whether the next client line is a response rather than a
// command, and what each response carries. Secrets are looked at, never kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/smtp/smtp_auth.hpp"

namespace postern::proto {

class SaslExchange {
public:
    // The client sent AUTH <mechanism>, with an initial response or not.
    void start(std::string_view mechanism, bool initial_response) {
        *this = SaslExchange{};
        active_ = true;
        mechanism_ = classify_auth_mechanism(mechanism);
        expected_ = expected_auth_responses(mechanism_, initial_response);
    }
    // The exchange is over: answered, or the client moved on.
    void stop() { active_ = false; }
    bool active() const { return active_; }
    bool cancelled() const { return cancelled_; }  // the client sent "*"
    // A challenge of the server (SMTP 334, POP3 and IMAP "+") is waiting for its response.
    bool challenged() const { return challenges_ > 0; }
    void on_challenge() {
        if (challenges_ < 255) ++challenges_;
    }

    // Whether a client line is a response of this exchange: a challenge waits for it, or the
    // mechanism wants more responses; for a mechanism we do not model, whatever is not a command.
    template <class IsCommand>
    bool takes(std::string_view line, IsCommand &&is_command) const {
        if (!active_) return false;
        if (challenges_ > 0) return true;
        if (expected_ == kUnknownAuthResponses) return !is_command(line);
        return expected_ > 0;
    }

    // A response that answers a challenge (the initial response on the AUTH line does not).
    void answered() {
        if (challenges_ > 0) --challenges_;
        if (expected_ != kUnknownAuthResponses && expected_ > 0) --expected_;
    }

    // Looks at the next response (the initial one included): the user, when it carries one, goes
    // to user[0..cap).
    AuthResponseInfo inspect(std::string_view response, char *user, size_t cap) {
        const AuthResponseInfo info = inspect_auth_response(mechanism_, responses_, response, user, cap);
        ++responses_;
        if (info.cancelled) {
            cancelled_ = true;
            expected_ = 0;
        }
        return info;
    }

private:
    bool active_ = false;
    bool cancelled_ = false;
    AuthMechanism mechanism_ = AuthMechanism::Other;
    uint8_t expected_ = 0;  // client responses still due (kUnknownAuthResponses: unknown)
    uint8_t challenges_ = 0;  // challenges not answered yet
    uint8_t responses_ = 0;
};

}  // namespace postern::proto
