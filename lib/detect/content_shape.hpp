// Whether a MIME part's first decoded bytes read like something a person wrote, or like opaque
// data: an encoded blob in a text part, or high-entropy bytes with no declared type. Exfiltration
// by IMAP APPEND uploads messages with opaque parts and no human text; a person's saved drafts
// and sent copies have a human text part (upload_asymmetry, docs/detections.md).
#pragma once

#include <cstdint>

#include "proto/events.hpp"

namespace postern::detect {

enum class ContentShape : uint8_t { Other, Human, Opaque };

ContentShape content_shape(const proto::MimePartEnd &part);

}  // namespace postern::detect
