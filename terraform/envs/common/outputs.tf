# Root outputs of every environment (linked into terraform/envs/<env>/).

output "api_base_url" {
  value = module.stack.api_base_url
}

output "media_bucket" {
  value = module.stack.media_bucket
}

output "code_bucket" {
  value = module.stack.code_bucket
}

output "function_names" {
  value = module.stack.function_names
}
