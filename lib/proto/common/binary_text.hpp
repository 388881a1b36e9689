// Whether a command line holds binary: the mail parsers flag it (smtp/pop3/imap.binary_in_command).
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::proto {

// Control characters (TAB aside) or malformed UTF-8. Valid UTF-8 is not binary: SMTPUTF8
// (RFC 6531) puts it in addresses, POP3's UTF8 (RFC 6856) in user names and passwords, IMAP's
// UTF8=ACCEPT (RFC 6855) in quoted strings.
inline bool has_binary(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if ((b < 0x20 && b != '\t') || b == 0x7F) return true;
            ++i;
            continue;
        }
        size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || b == 0xC0 || b == 0xC1 || i + n > s.size()) return true;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return true;
        i += n;
    }
    return false;
}

}  // namespace postern::proto
