import { Module } from '@nestjs/common';
import { CoreModule } from '../app/core.module.js';
import { LocalMailModule } from '../local-mail/local-mail.module.js';
import { UserProvisioner } from './user-provisioner.js';

@Module({ imports: [CoreModule, LocalMailModule], providers: [UserProvisioner] })
export class CliModule {}
