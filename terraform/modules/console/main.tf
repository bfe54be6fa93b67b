# The admin console in the cloud: the built files (functions/internal/console/dist, the same the
# TKE shim embeds) in a COS bucket configured as a static website, behind CDN on the console's
# own domain. config.json, written here next to them, tells the console where the API is.
#
# The public certificate page is not here: it is rendered by the API (GET /c/{token}, no script,
# a few kB) because a revocation must show the moment it happens, which a cached static page
# cannot promise. PUBLIC_BASE_URL points the QR codes at it.

variable "name" {
  type        = string
  description = "Bucket name prefix, e.g. jianbao-dev"
}

variable "domain" {
  type        = string
  default     = ""
  description = "The console's domain on CDN, e.g. admin.jianbao.example; empty: the COS website endpoint only"
}

variable "certificate_id" {
  type        = string
  default     = ""
  description = "SSL certificate id (SSL Certificates service) for the domain; empty: HTTP only"
}

variable "api_base_url" {
  type        = string
  description = "Where the console calls the API (the functions' custom domain); CORS_ALLOWED_ORIGINS must name the console's origin"
}

variable "region" {
  type = string
}

variable "appid" {
  type = string
}

locals {
  dist   = "${path.module}/../../../functions/internal/console/dist"
  bucket = "${var.name}-console-${var.appid}"
  # The build's manifest is for the budget check, not for browsers.
  files = [for f in fileset(local.dist, "**") : f if !startswith(f, ".vite/")]
  types = {
    html = "text/html; charset=utf-8", js = "text/javascript; charset=utf-8", css = "text/css; charset=utf-8",
    svg  = "image/svg+xml", json = "application/json", woff2 = "font/woff2", woff = "font/woff", ttf = "font/ttf", png = "image/png",
  }
  website = "${local.bucket}.cos-website.${var.region}.myqcloud.com"
}

# Public-read: these are the console's own scripts and styles, the same for everyone; every
# piece of data comes from the API behind a login.
resource "tencentcloud_cos_bucket" "console" {
  bucket = local.bucket
  acl    = "public-read"

  website {
    index_document = "index.html"
    error_document = "index.html"
  }
}

# Each object states public-read: the provider's default for an object is "private", which COS
# applies over the bucket's ACL, and the website endpoint then refuses every file (403).
resource "tencentcloud_cos_bucket_object" "file" {
  for_each     = toset(local.files)
  bucket       = tencentcloud_cos_bucket.console.bucket
  key          = "/console/${each.value}"
  acl          = "public-read"
  source       = "${local.dist}/${each.value}"
  etag         = filemd5("${local.dist}/${each.value}")
  content_type = lookup(local.types, reverse(split(".", each.value))[0], "application/octet-stream")
  # Hashed names never change content; everything else must be fetched fresh after a deployment.
  cache_control = startswith(each.value, "assets/") ? "public, max-age=31536000, immutable" : "no-cache"
}

resource "tencentcloud_cos_bucket_object" "config" {
  bucket        = tencentcloud_cos_bucket.console.bucket
  key           = "/console/config.json"
  acl           = "public-read"
  content       = jsonencode({ api_base_url = var.api_base_url })
  content_type  = "application/json"
  cache_control = "no-cache"
}

resource "tencentcloud_cdn_domain" "console" {
  count        = var.domain != "" ? 1 : 0
  domain       = var.domain
  service_type = "web"
  area         = "mainland"
  # access_port is Optional+Computed: left out, a domain whose read gives no ports plans a change
  # on every run (the SDK marks an empty computed list unknown). Written out, it is settled.
  access_port = [80, 443]

  origin {
    origin_type          = "domain"
    origin_list          = [local.website]
    origin_pull_protocol = "http"
    server_name          = local.website
  }

  https_config {
    https_switch = var.certificate_id != "" ? "on" : "off"
    http2_switch = var.certificate_id != "" ? "on" : "off"
    dynamic "server_certificate_config" {
      for_each = var.certificate_id != "" ? [1] : []
      content {
        certificate_id = var.certificate_id
      }
    }
    dynamic "force_redirect" {
      for_each = var.certificate_id != "" ? [1] : []
      content {
        switch               = "on"
        redirect_type        = "https"
        redirect_status_code = 301
      }
    }
  }

  # Cache what the bucket says: a year for hashed assets, revalidate the rest.
  rule_cache {
    cache_time           = 0
    follow_origin_switch = "on"
    rule_type            = "all"
    rule_paths           = ["*"]
  }

  compression {
    switch = "on"
    compression_rules {
      compress   = true
      min_length = 256
      max_length = 2097152
      algorithms = ["gzip"]
      rule_type  = "file"
      rule_paths = ["js", "css", "html", "json", "svg"]
    }
  }

  response_header {
    switch = "on"
    header_rules {
      header_mode  = "set"
      header_name  = "X-Content-Type-Options"
      header_value = "nosniff"
      rule_type    = "all"
      rule_paths   = ["*"]
    }
    header_rules {
      header_mode  = "set"
      header_name  = "Content-Security-Policy"
      header_value = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; connect-src 'self' ${var.api_base_url}; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
      rule_type    = "all"
      rule_paths   = ["*"]
    }
  }
}

output "url" {
  value = var.domain != "" ? "${var.certificate_id != "" ? "https" : "http"}://${var.domain}/console/" : "http://${local.website}/console/"
}
