// SASL mechanisms seen in SMTP AUTH (RFC 4954) and where each carries the user name in clear.
// Only the user is ever extracted; secrets are decoded into a stack buffer and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class AuthMechanism : uint8_t {
    Other,
    Plain,
    Login,
    CramMd5,
    XOAuth2,
    OAuthBearer,
    ScramSha1,
    ScramSha256,
    DigestMd5,
    Ntlm,
    GssApi,
    External,
    Anonymous,
};

AuthMechanism classify_auth_mechanism(std::string_view name);

inline constexpr uint8_t kUnknownAuthResponses = 0xFF;

// Client responses the exchange takes after the AUTH command line (RFC 4954 4), given whether
// the command carried an initial response; kUnknownAuthResponses for mechanisms we do not model.
uint8_t expected_auth_responses(AuthMechanism m, bool initial_response);

struct AuthResponseInfo {
    bool valid_base64 = true;
    bool cancelled = false;  // "*" (RFC 4954 4)
    bool has_user = false;
    bool has_secret = false;  // a password, token or digest was present (never kept)
    size_t user_len = 0;  // the user was written to the caller's buffer
};

// Looks at client response number `index` (0 = initial response or the first line) of mechanism
// `m`. Writes the user name, when this response carries one, to user[0..cap).
AuthResponseInfo inspect_auth_response(AuthMechanism m, unsigned index, std::string_view response, char *user,
                                       size_t cap);

}  // namespace postern::proto
