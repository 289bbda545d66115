output "url" {
  value = "https://${aws_lb.main.dns_name}"
}
output "backup_bucket" {
  value = aws_s3_bucket.backups.bucket
}
output "db_address" {
  value = aws_db_instance.pg.address
}
