# ECS Fargate: engine nodes (either may lead) and stateless API nodes behind the ALB.
locals {
  store_url = "postgres://carbonx:${random_password.db.result}@${aws_db_instance.pg.address}:5432/carbonx?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem"
  redis_url = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/0"
  keys      = ["jwt.key", "pii.key", "apikey.key", "mfa.key", "doc-master.key", "cluster.secret"]
}

resource "aws_secretsmanager_secret" "urls" {
  name = "${var.name}/urls"
}

resource "aws_secretsmanager_secret_version" "urls" {
  secret_id     = aws_secretsmanager_secret.urls.id
  secret_string = jsonencode({ store_url = local.store_url, redis_url = local.redis_url })
}

resource "aws_ecs_cluster" "main" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}"
  retention_in_days = 30
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "exec" {
  name               = "${var.name}-exec"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "exec" {
  role       = aws_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.keys_secret_arn, aws_secretsmanager_secret.urls.arn]
  }
}

resource "aws_iam_role_policy" "secrets" {
  role   = aws_iam_role.exec.id
  policy = data.aws_iam_policy_document.secrets.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "backups" {
  statement {
    actions   = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.backups.arn, "${aws_s3_bucket.backups.arn}/*"]
  }
}

resource "aws_iam_role_policy" "backups" {
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.backups.json
}

# One task definition per role; the keys arrive as environment variables from Secrets Manager
# and are written into the data directory before carbonx starts.
resource "aws_ecs_task_definition" "node" {
  for_each                 = { engine = "standby", api = "api" }
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.key == "engine" ? 2048 : 1024
  memory                   = each.key == "engine" ? 8192 : 4096
  execution_role_arn       = aws_iam_role.exec.arn
  task_role_arn            = aws_iam_role.task.arn
  volume {
    name = "documents"
    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.documents.id
      transit_encryption = "ENABLED"
    }
  }
  container_definitions = jsonencode([{
    name       = "carbonx"
    image      = var.image
    essential  = true
    entryPoint = ["/bin/sh", "-c"]
    command = [join(" ", [
      "for k in ${join(" ", local.keys)}; do v=$(printenv KEY_$(echo $k | tr .- __)); printf %s \"$v\" > /var/lib/carbonx/$k; done;",
      "ip=$(hostname -i | cut -d' ' -f1);",
      "exec carbonx serve --data /var/lib/carbonx --listen 0.0.0.0:8080 --static /usr/share/carbonx/web",
      "--store \"$STORE_URL\" --redis \"$REDIS_URL\" --role ${each.value} --node-id $(hostname)",
      "--advertise $ip:8080 --cluster-secret-file /var/lib/carbonx/cluster.secret --log-format json",
    ])]
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    mountPoints  = [{ sourceVolume = "documents", containerPath = "/var/lib/carbonx/documents" }]
    secrets = concat(
      [
        { name = "STORE_URL", valueFrom = "${aws_secretsmanager_secret.urls.arn}:store_url::" },
        { name = "REDIS_URL", valueFrom = "${aws_secretsmanager_secret.urls.arn}:redis_url::" },
      ],
      [for k in local.keys : { name = "KEY_${replace(replace(k, ".", "_"), "-", "_")}", valueFrom = "${var.keys_secret_arn}:${k}::" }]
    )
    healthCheck = {
      command  = ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"]
      interval = 10
      retries  = 3
      timeout  = 3
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }])
}

resource "aws_ecs_service" "engine" {
  name                               = "engine"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.node["engine"].arn
  desired_count                      = 2
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 100
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_ecs_service" "api" {
  name            = "api"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.node["api"].arn
  desired_count   = var.api_count
  launch_type     = "FARGATE"
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.app.id]
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.api.arn
    container_name   = "carbonx"
    container_port   = 8080
  }
  depends_on = [aws_lb_listener.https]
}

resource "aws_security_group_rule" "app_internal" {
  type                     = "ingress"
  from_port                = 8080
  to_port                  = 8080
  protocol                 = "tcp"
  security_group_id        = aws_security_group.app.id
  source_security_group_id = aws_security_group.app.id
}
