import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The back-office console: its settings and the development sign-in exchange (its files: console-assets.ts). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
