variable "region" {
  type    = string
  default = "eu-central-1"
}
variable "name" {
  type    = string
  default = "carbonx"
}
variable "vpc_id" { type = string }
variable "private_subnet_ids" { type = list(string) }
variable "public_subnet_ids" { type = list(string) }
variable "certificate_arn" {
  description = "ACM certificate for the public host name"
  type        = string
}
variable "image" {
  description = "carbonx container image (built from the repository's Dockerfile)"
  type        = string
}
variable "db_instance_class" {
  type    = string
  default = "db.r6g.large"
}
variable "redis_node_type" {
  type    = string
  default = "cache.r6g.large"
}
variable "api_count" {
  type    = number
  default = 2
}
variable "keys_secret_arn" {
  description = "Secrets Manager secret holding jwt.key, pii.key, apikey.key, mfa.key, doc-master.key, cluster.secret (JSON)"
  type        = string
}
